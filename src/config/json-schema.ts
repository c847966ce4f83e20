/** The JSON Schema of the config file, generated from the zod schema (what a user writes, defaults included). */
import { z } from "zod";
import { clusterSchema } from "./schema.js";

export const JSON_SCHEMA_ID = "https://kx.dev/schemas/cluster-v1alpha1.json";

export function clusterJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(clusterSchema, { io: "input", target: "draft-2020-12" });
  return {
    ...schema,
    $id: JSON_SCHEMA_ID,
    title: "kx cluster config",
    description: "A kx cluster (apiVersion kx.dev/v1alpha1, kind Cluster). Cross-field rules are checked by `kx config validate`.",
  };
}
