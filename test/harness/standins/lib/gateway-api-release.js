// @ts-check
/**
 * What `kubectl apply -f https://github.com/kubernetes-sigs/gateway-api/releases/download/vX.Y.Z/standard-install.yaml`
 * would fetch, for the releases that exist: the standard channel's CustomResourceDefinitions
 * (names, kinds, scope and API versions as the release ships them; not their OpenAPI
 * schemas, which nothing here validates against) and, from v1.5 on, the
 * safe-upgrades ValidatingAdmissionPolicy and its binding. The test hosts have no
 * internet: any other URL is unreachable, and a release that does not exist is GitHub's 404.
 */
import { stringify } from "yaml";

const GROUP = "gateway.networking.k8s.io";
const RELEASE_URL = /^https:\/\/github\.com\/kubernetes-sigs\/gateway-api\/releases\/download\/(v\d+\.\d+\.\d+)\/standard-install\.yaml$/;

/** Releases on the project's GitHub (v1.7 had only release candidates). */
const RELEASES = ["v1.3.0", "v1.4.0", "v1.4.1", "v1.5.0", "v1.5.1", "v1.6.0", "v1.6.1", "v1.6.2", "v1.6.3"];

/**
 * The standard channel's kinds, the minor release each joined it, and their API versions
 * (the storage version first).
 * @type {{ kind: string, plural: string, scope: "Cluster" | "Namespaced", since: number, versions: (minor: number) => string[], shortNames?: string[] }[]}
 */
const KINDS = [
  { kind: "GatewayClass", plural: "gatewayclasses", scope: "Cluster", since: 3, versions: () => ["v1", "v1beta1"], shortNames: ["gc"] },
  { kind: "Gateway", plural: "gateways", scope: "Namespaced", since: 3, versions: () => ["v1", "v1beta1"], shortNames: ["gtw"] },
  { kind: "GRPCRoute", plural: "grpcroutes", scope: "Namespaced", since: 3, versions: () => ["v1"] },
  { kind: "HTTPRoute", plural: "httproutes", scope: "Namespaced", since: 3, versions: () => ["v1", "v1beta1"] },
  // Promoted to v1 in v1.5; v1beta1 stays served.
  { kind: "ReferenceGrant", plural: "referencegrants", scope: "Namespaced", since: 3, versions: (minor) => (minor >= 5 ? ["v1beta1", "v1"] : ["v1beta1"]), shortNames: ["refgrant"] },
  { kind: "BackendTLSPolicy", plural: "backendtlspolicies", scope: "Namespaced", since: 4, versions: () => ["v1"], shortNames: ["btlspolicy"] },
  { kind: "ListenerSet", plural: "listenersets", scope: "Namespaced", since: 5, versions: () => ["v1"], shortNames: ["lset"] },
  { kind: "TLSRoute", plural: "tlsroutes", scope: "Namespaced", since: 5, versions: () => ["v1"] },
  { kind: "TCPRoute", plural: "tcproutes", scope: "Namespaced", since: 6, versions: () => ["v1"] },
  { kind: "UDPRoute", plural: "udproutes", scope: "Namespaced", since: 6, versions: () => ["v1"] },
];

const SAFE_UPGRADES = `safe-upgrades.${GROUP}`;

function crd(k, version, minor) {
  const [storage, ...others] = k.versions(minor);
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${k.plural}.${GROUP}`,
      annotations: { [`${GROUP}/bundle-version`]: version, [`${GROUP}/channel`]: "standard" },
    },
    spec: {
      group: GROUP,
      names: { categories: ["gateway-api"], kind: k.kind, listKind: `${k.kind}List`, plural: k.plural, singular: k.kind.toLowerCase(), ...(k.shortNames ? { shortNames: k.shortNames } : {}) },
      scope: k.scope,
      versions: [storage, ...others].map((name) => ({ name, served: true, storage: name === storage, subresources: { status: {} } })),
    },
  };
}

function admissionPolicy(version) {
  const annotations = { [`${GROUP}/bundle-version`]: version, [`${GROUP}/channel`]: "standard" };
  const crds = { apiGroups: ["apiextensions.k8s.io"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["customresourcedefinitions"] };
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name: SAFE_UPGRADES, annotations },
      spec: {
        failurePolicy: "Fail",
        matchConstraints: { resourceRules: [{ ...crds, resources: ["*"] }] },
        validations: [
          { message: "Installing experimental CRDs on top of standard channel CRDs is prohibited by default. Uninstall ValidatingAdmissionPolicy safe-upgrades.gateway.networking.k8s.io to install experimental CRDs on top of standard channel CRDs.", reason: "Invalid" },
          { message: "Installing CRDs with version before v1.5.0 is prohibited by default. Uninstall ValidatingAdmissionPolicy safe-upgrades.gateway.networking.k8s.io to install older versions.", reason: "Invalid" },
        ],
      },
    },
    { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: SAFE_UPGRADES, annotations }, spec: { policyName: SAFE_UPGRADES, validationActions: ["Deny"], matchResources: { resourceRules: [crds] } } },
  ];
}

/** The objects of a release's standard-install.yaml, in the file's order. */
export function standardInstall(version) {
  const minor = Number(version.split(".")[1]);
  const crds = KINDS.filter((k) => k.since <= minor).map((k) => crd(k, version, minor));
  return [...crds, ...(minor >= 5 ? admissionPolicy(version) : [])];
}

/**
 * What fetching `url` gives kubectl: the YAML, or kubectl's error (without "error: ").
 * @returns {{ text: string } | { error: string }}
 */
export function fetchManifest(url) {
  const m = RELEASE_URL.exec(url);
  if (m && RELEASES.includes(m[1])) {
    return { text: standardInstall(m[1]).map((o) => `---\n${stringify(o)}`).join("") };
  }
  if (m || url.startsWith("https://github.com/")) return { error: `unable to read URL "${url}", server reported 404 Not Found, status code=404` };
  const host = new URL(url).hostname;
  return { error: `Get "${url}": dial tcp: lookup ${host} on 127.0.0.53:53: server misbehaving (test hosts have no internet; the kubectl stand-in serves only the gateway-api release URLs)` };
}
