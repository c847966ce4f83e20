// @ts-check
/**
 * The Istio custom resources kx applies, as the istio base chart installs their CRDs: so
 * kubectl maps the kind only once istio-base is in ("no matches for kind" before), and the
 * API server checks objects against the schema held in the CRD (lib/eck-schema.js).
 * The schema is the part of Istio's telemetry.istio.io/v1 one that tracing uses; the
 * other sections are kept open (x-kubernetes-preserve-unknown-fields).
 */

const open = { type: "object", "x-kubernetes-preserve-unknown-fields": true };
const openList = { type: "array", items: open };

/** Telemetry's spec, tracing in detail (Istio's api/telemetry/v1/telemetry.proto). */
const telemetrySchema = {
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      properties: {
        selector: open,
        targetRef: open,
        targetRefs: openList,
        accessLogging: openList,
        metrics: openList,
        tracing: {
          type: "array",
          items: {
            type: "object",
            properties: {
              match: open,
              providers: { type: "array", items: { type: "object", required: ["name"], properties: { name: { type: "string", minLength: 1 } } } },
              randomSamplingPercentage: { type: "number", minimum: 0, maximum: 100, nullable: true },
              disableSpanReporting: { type: "boolean", nullable: true },
              customTags: { type: "object", additionalProperties: open },
              useRequestIdForTraceSampling: { type: "boolean", nullable: true },
            },
          },
        },
      },
    },
    status: open,
  },
};

export const ISTIO_KINDS = {
  Telemetry: { group: "telemetry.istio.io", version: "v1", plural: "telemetries", singular: "telemetry", shortNames: ["telemetry"], schema: telemetrySchema },
};

/** The base chart's CRDs (only the kinds above), labelled and annotated as part of the release. */
export function istioCrds(meta) {
  return Object.entries(ISTIO_KINDS).map(([kind, k]) => {
    const name = `${k.plural}.${k.group}`;
    const m = meta(name);
    return {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name, labels: m.labels, annotations: m.annotations },
      spec: {
        group: k.group,
        names: { kind, listKind: `${kind}List`, plural: k.plural, singular: k.singular, shortNames: k.shortNames, categories: ["istio-io", "telemetry-istio-io"] },
        scope: "Namespaced",
        versions: [{ name: k.version, served: true, storage: true, schema: { openAPIV3Schema: k.schema }, subresources: { status: {} } }],
      },
    };
  });
}
