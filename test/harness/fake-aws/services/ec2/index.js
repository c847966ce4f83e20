// @ts-check
import { AwsError } from "../../core/errors.js";
import { XMLNS } from "./common.js";
import { actions as vpc } from "./vpc.js";
import { actions as gateways } from "./gateways.js";
import { actions as routeTables } from "./route-tables.js";
import { actions as securityGroups } from "./security-groups.js";
import { actions as eni } from "./eni.js";
import { actions as keypairs } from "./keypairs.js";
import { actions as images } from "./images.js";
import { actions as launchTemplates } from "./launch-templates.js";
import { actions as instances } from "./instances.js";
import { actions as catalogue } from "./catalogue.js";
import { actions as tags } from "./tags.js";
import { actions as volumes } from "./volumes.js";

export { registerImage } from "./images.js";
export { launch, terminate } from "./instances.js";

/** @typedef {Record<string, (p: any, ctx: import("../../core/server.js").HandlerContext) => any>} Actions */

/**
 * DryRun=true answers DryRunOperation (HTTP 412) once the request is known to be valid
 * enough to reach the handler, as EC2 does for a caller with permission.
 * @param {Actions} actions @returns {Actions}
 */
function withDryRun(actions) {
  return Object.fromEntries(
    Object.entries(actions).map(([name, fn]) => [
      name,
      (/** @type {any} */ p, /** @type {import("../../core/server.js").HandlerContext} */ ctx) => {
        if (String(p.DryRun) === "true") throw new AwsError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", { status: 412 });
        return fn(p, ctx);
      },
    ]),
  );
}

/** EC2 over the ec2 query protocol. @type {import("../../core/server.js").ServiceModule} */
export const service = {
  name: "ec2",
  signingName: "ec2",
  protocol: "ec2",
  xmlns: XMLNS,
  actions: withDryRun({ ...vpc, ...gateways, ...routeTables, ...securityGroups, ...eni, ...keypairs, ...images, ...launchTemplates, ...instances, ...catalogue, ...tags, ...volumes }),
};
