/** `kx schema`: the JSON Schema of the cluster config on stdout, for editors (yaml-language-server, IDEs). */
import type { GlobalOptions } from "../cli.js";
import { clusterJsonSchema } from "../config/json-schema.js";
import { Io } from "../ui/io.js";

export async function run(_options: unknown, globals: Partial<GlobalOptions> = {}, io: Io = new Io(globals)): Promise<number> {
  io.result(JSON.stringify(clusterJsonSchema(), null, 2));
  return 0;
}
