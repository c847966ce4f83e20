// @ts-check
import { createHash } from "node:crypto";

/**
 * STS GetCallerIdentity. The account is 000000000000 unless configured; credentials are
 * checked (valid / expired lists) for every service by the router.
 */

/** @type {import("../core/server.js").ServiceModule} */
export const service = {
  name: "sts",
  signingName: "sts",
  protocol: "query",
  xmlns: "https://sts.amazonaws.com/doc/2011-06-15/",
  actions: {
    GetCallerIdentity(_p, { world, accessKey }) {
      const arn = world.credentials.userArn ?? `arn:aws:iam::${world.account}:user/kx-test`;
      const userId = `AIDA${createHash("sha256").update(accessKey ?? arn).digest("hex").slice(0, 17).toUpperCase()}`;
      return { UserId: userId, Account: world.account, Arn: arn };
    },
  },
};
