// @ts-check
/** The objects of a release's manifest, created, updated and deleted as helm's kube client does. */
import { parseAllDocuments, stringify } from "yaml";
import { ok } from "./helm-releases.js";

/** Kinds the charts in lib/helm-charts.js render, and where the API keeps them. */
const PATHS = {
  ConfigMap: { base: "/api/v1", plural: "configmaps" },
  Service: { base: "/api/v1", plural: "services" },
  DaemonSet: { base: "/apis/apps/v1", plural: "daemonsets" },
  Deployment: { base: "/apis/apps/v1", plural: "deployments" },
  StatefulSet: { base: "/apis/apps/v1", plural: "statefulsets" },
  CustomResourceDefinition: { base: "/apis/apiextensions.k8s.io/v1", plural: "customresourcedefinitions", cluster: true },
};

function collection(obj) {
  const p = PATHS[obj.kind];
  if (!p) throw new Error(`helm stand-in: no API path for kind ${obj.kind}`);
  return "cluster" in p ? `${p.base}/${p.plural}` : `${p.base}/namespaces/${obj.metadata.namespace}/${p.plural}`;
}

const id = (o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;

/** helm's manifest: the rendered templates, one YAML document each. */
export function toManifest(chartName, objects) {
  return objects.map((o) => `---\n# Source: ${chartName}/templates/${o.kind.toLowerCase()}-${o.metadata.name}.yaml\n${stringify(o)}`).join("");
}

export function fromManifest(manifest) {
  return parseAllDocuments(manifest ?? "").map((d) => d.toJS()).filter(Boolean);
}

/**
 * Creates or updates `objects`; deletes what `previous` had and `objects` no longer has.
 * An object of the same name that another release (or no release) owns is helm's conflict.
 */
export async function applyObjects(api, release, objects, previous = []) {
  for (const obj of objects) {
    const coll = collection(obj);
    const existing = await api.get(`${coll}/${obj.metadata.name}`);
    if (existing.status === 200) {
      const owner = existing.json?.metadata?.annotations?.["meta.helm.sh/release-name"];
      if (owner !== release.name || existing.json?.metadata?.annotations?.["meta.helm.sh/release-namespace"] !== release.namespace) {
        throw new Error(
          `rendered manifests contain a resource that already exists. Unable to continue with install: ${obj.kind} "${obj.metadata.name}" in namespace "${obj.metadata.namespace}" exists and cannot be imported into the current release: invalid ownership metadata; annotation validation error: key "meta.helm.sh/release-name" must equal "${release.name}": current value is "${owner ?? ""}"`,
        );
      }
      ok(await api.put(`${coll}/${obj.metadata.name}`, obj), `failed to update ${obj.kind} "${obj.metadata.name}"`);
    } else {
      ok(await api.post(coll, obj), `failed to create ${obj.kind} "${obj.metadata.name}"`);
    }
  }
  const keep = new Set(objects.map(id));
  await deleteObjects(api, previous.filter((o) => !keep.has(id(o))));
}

export async function deleteObjects(api, objects) {
  for (const obj of objects) {
    const res = await api.delete(`${collection(obj)}/${obj.metadata.name}`);
    if (res.status !== 404) ok(res, `failed to delete ${obj.kind} "${obj.metadata.name}"`);
  }
}
