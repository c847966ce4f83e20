// @ts-check
/**
 * Requests signed with an instance role's credentials (issued by the test cloud's
 * metadata service through `issueRoleCredentials`) are allowed only as the role's
 * policies allow, as IAM would: an explicit Deny wins, else an Allow statement must
 * match the action (wildcards, case-insensitive) and the resource. Resources are modelled
 * for SSM parameters (their ARNs, and the path for GetParametersByPath), the part of the
 * policies kx scopes tightly; other actions are checked by action only. Conditions are
 * not evaluated (KMS is not modelled). The long-lived keys a test gives kx are not roles
 * and are not checked.
 */
import { AwsError } from "./errors.js";

/** @typedef {import("./world.js").World} World */

/** IAM's action prefix of each service module. */
const PREFIX = /** @type {Record<string, string>} */ ({ elbv2: "elasticloadbalancing" });

/** @param {string} pattern @param {string} value @param {boolean} ignoreCase */
function globMatch(pattern, value, ignoreCase) {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, ignoreCase ? "i" : "");
  return re.test(value);
}

/** @param {string | string[] | undefined} v */
const list = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** @param {World} world @param {string} name */
function parameterArn(world, name) {
  return `arn:aws:ssm:${world.region}:${world.account}:parameter/${name.replace(/^\//, "").replace(/:\d+$/, "")}`;
}

/** The resources a request acts on, where the fake models them; ["*"] otherwise. @param {World} world @param {string} service @param {any} params */
function resourcesOf(world, service, params) {
  if (service !== "ssm") return ["*"];
  if (params?.Path) return [parameterArn(world, params.Path)];
  if (params?.Names) return params.Names.map((/** @type {string} */ n) => parameterArn(world, n));
  if (params?.Name) return [parameterArn(world, params.Name)];
  return ["*"];
}

/** @param {any} statement @param {string} action @param {string} resource */
function matches(statement, action, resource) {
  const actionOk = list(statement.Action).some((a) => globMatch(a, action, true));
  const resourceOk = resource === "*" || list(statement.Resource).some((r) => globMatch(r, resource, false));
  return actionOk && resourceOk;
}

/**
 * Throws AccessDenied when the role session may not do this.
 * @param {World} world @param {{ role: string, sessionName: string }} session @param {string} service @param {string} action @param {any} params
 */
export function authorize(world, session, service, action, params) {
  if (service === "sts" && action === "GetCallerIdentity") return; // needs no permission, as on AWS
  const role = world.store.get("role", session.role);
  /** @type {any[]} */
  const statements = role ? Object.values(role.inline).flatMap((doc) => JSON.parse(String(doc)).Statement) : [];
  const iamAction = `${PREFIX[service] ?? service}:${action}`;
  for (const resource of resourcesOf(world, service, params)) {
    const denied = statements.some((s) => s.Effect === "Deny" && matches(s, iamAction, resource));
    const allowed = statements.some((s) => s.Effect === "Allow" && matches(s, iamAction, resource));
    if (denied || !allowed) {
      const who = `arn:aws:sts::${world.account}:assumed-role/${session.role}/${session.sessionName}`;
      const on = resource === "*" ? "" : ` on resource: ${resource}`;
      const why = denied ? "with an explicit deny in an identity-based policy" : `because no identity-based policy allows the ${iamAction} action`;
      throw new AwsError(service === "ssm" ? "AccessDeniedException" : "AccessDenied", `User: ${who} is not authorized to perform: ${iamAction}${on} ${why}`, { status: service === "ssm" ? 400 : 403 });
    }
  }
}
