// @ts-check
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

export { registerImage } from "./images.js";
export { launch, terminate } from "./instances.js";

/** EC2 over the ec2 query protocol. @type {import("../../core/server.js").ServiceModule} */
export const service = {
  name: "ec2",
  signingName: "ec2",
  protocol: "ec2",
  xmlns: XMLNS,
  actions: { ...vpc, ...gateways, ...routeTables, ...securityGroups, ...eni, ...keypairs, ...images, ...launchTemplates, ...instances, ...catalogue, ...tags },
};
