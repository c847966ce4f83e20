// @ts-check
/**
 * ECK's custom resources: the CustomResourceDefinitions the eck-operator chart installs
 * (its eck-operator-crds subchart, on by default), each carrying the structural schema of
 * its storage version from test/harness/schemas. The API server stand-in checks objects
 * of these kinds against the schema held in the CRD (lib/eck-schema.js); kubectl maps a
 * kind only once its CRD is there.
 */
import { readFileSync } from "node:fs";

/** @typedef {{ group: string, version: string, plural: string, singular: string, shortNames: string[], schema: string }} EckKind */

/** @type {Record<string, EckKind>} */
export const ECK_KINDS = {
  Elasticsearch: { group: "elasticsearch.k8s.elastic.co", version: "v1", plural: "elasticsearches", singular: "elasticsearch", shortNames: ["es"], schema: "eck-elasticsearch-v1.schema.json" },
  Kibana: { group: "kibana.k8s.elastic.co", version: "v1", plural: "kibanas", singular: "kibana", shortNames: ["kb"], schema: "eck-kibana-v1.schema.json" },
  Beat: { group: "beat.k8s.elastic.co", version: "v1beta1", plural: "beats", singular: "beat", shortNames: ["beat"], schema: "eck-beat-v1beta1.schema.json" },
};

const SCHEMAS = new URL("../../schemas/", import.meta.url);

/** The CRD as the chart renders it (one served storage version, status subresource). */
export function eckCrd(kind) {
  const k = ECK_KINDS[kind];
  const openAPIV3Schema = JSON.parse(readFileSync(new URL(k.schema, SCHEMAS), "utf8"));
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${k.plural}.${k.group}` },
    spec: {
      group: k.group,
      names: { kind, listKind: `${kind}List`, plural: k.plural, singular: k.singular, shortNames: k.shortNames, categories: ["elastic"] },
      scope: "Namespaced",
      versions: [{ name: k.version, served: true, storage: true, schema: { openAPIV3Schema }, subresources: { status: {} } }],
    },
  };
}

/** The chart's CRDs, labelled and annotated as part of the release like its other templates. */
export function eckCrds(meta) {
  return Object.keys(ECK_KINDS).map((kind) => {
    const crd = eckCrd(kind);
    const m = meta(crd.metadata.name);
    return { ...crd, metadata: { name: crd.metadata.name, labels: m.labels, annotations: m.annotations } };
  });
}
