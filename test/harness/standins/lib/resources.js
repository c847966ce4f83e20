// @ts-check
/** The resources the API server stand-in serves and kubectl maps kinds to. */
import { ECK_KINDS } from "./eck-crds.js";

/**
 * kind plural names for the few resources kubectl apply sends here; `version` when not v1;
 * `crd` for kinds that exist only once their CustomResourceDefinition is installed.
 * @type {Record<string, { group: string, plural: string, namespaced: boolean, version?: string, crd?: string }>}
 */
export const RESOURCES = {
  Namespace: { group: "", plural: "namespaces", namespaced: false },
  Node: { group: "", plural: "nodes", namespaced: false },
  ConfigMap: { group: "", plural: "configmaps", namespaced: true },
  Secret: { group: "", plural: "secrets", namespaced: true },
  ServiceAccount: { group: "", plural: "serviceaccounts", namespaced: true },
  Service: { group: "", plural: "services", namespaced: true },
  Deployment: { group: "apps", plural: "deployments", namespaced: true },
  DaemonSet: { group: "apps", plural: "daemonsets", namespaced: true },
  StorageClass: { group: "storage.k8s.io", plural: "storageclasses", namespaced: false },
  // Istio's mesh-wide Telemetry (the jaeger step applies one); its CRD comes with istio-base.
  Telemetry: { group: "telemetry.istio.io", plural: "telemetries", namespaced: true, crd: "telemetries.telemetry.istio.io" },
  ClusterRole: { group: "rbac.authorization.k8s.io", plural: "clusterroles", namespaced: false },
  ClusterRoleBinding: { group: "rbac.authorization.k8s.io", plural: "clusterrolebindings", namespaced: false },
  CustomResourceDefinition: { group: "apiextensions.k8s.io", plural: "customresourcedefinitions", namespaced: false },
  ValidatingAdmissionPolicy: { group: "admissionregistration.k8s.io", plural: "validatingadmissionpolicies", namespaced: false },
  ValidatingAdmissionPolicyBinding: { group: "admissionregistration.k8s.io", plural: "validatingadmissionpolicybindings", namespaced: false },
  StatefulSet: { group: "apps", plural: "statefulsets", namespaced: true },
  ...Object.fromEntries(
    Object.entries(ECK_KINDS).map(([kind, k]) => [kind, { group: k.group, version: k.version, plural: k.plural, namespaced: true, crd: `${k.plural}.${k.group}` }]),
  ),
};

/** "/api/v1/namespaces/kube-system/secrets/x" -> { group: "", resource: "secrets", namespace: "kube-system", name: "x" } */
export function parsePath(pathname) {
  const parts = pathname.split("/").filter(Boolean);
  let group;
  let rest;
  if (parts[0] === "api" && parts[1] === "v1") [group, rest] = ["", parts.slice(2)];
  else if (parts[0] === "apis" && parts.length >= 3) [group, rest] = [parts[1], parts.slice(3)];
  else return undefined;
  let namespace;
  if (rest[0] === "namespaces" && rest.length >= 3) [namespace, rest] = [rest[1], rest.slice(2)];
  const [resource, name, sub] = rest;
  if (!resource) return undefined;
  return { group, resource, namespace, name, sub };
}

