/**
 * One etcd member: its certificates and unit file on the host, the service enabled and
 * started. Planned from the host's facts (file hashes, unit state, data dir), so a member
 * that runs with the right configuration is left alone and a re-run changes nothing.
 *
 * The data dir is never touched. A member with data keeps the --initial-cluster-state
 * it was written with (etcd ignores it once initialised). A member without data
 * bootstraps with "new" while the cluster is forming, and joins the running cluster
 * (`etcdctl member add`, then "existing") when the cluster does not know it or knew it
 * before its data was lost (see joinDecision).
 *
 * Fresh members start together (etcd needs the quorum to come up at once); members
 * whose configuration changed restart one at a time, each healthy before the next.
 */
import { KxError } from "../../engine/errors.js";
import type { Change, Outputs, Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import type { NodeHost } from "../inventory.js";
import { Limiter } from "../../ssh/limiter.js";
import { etcdctl, memberIdHex, parseMemberList, type MemberListEntry } from "./etcdctl.js";
import { readMemberFacts, sha256, type MemberFacts } from "./facts.js";
import {
  certificateFiles,
  clientUrl,
  etcdHosts,
  memberNeeds,
  memberStepId,
  PKI_DIR,
  plannedFile,
  UNIT_PATH,
  unitFile,
  type ResolvedOptions,
  type WantedFile,
} from "./members.js";
import { unitClusterState } from "./unit.js";

type ServiceAction = "start" | "restart" | "enable" | "none";

interface MemberPlan {
  changes: Change[];
  host?: NodeHost;
  writes: WantedFile[];
  service: ServiceAction;
  /** Peer to run `member add` on when this member joins the running cluster. */
  joinThrough?: NodeHost;
  /** Planned before the machines or certificates existed (a dry-run): nothing to apply yet. */
  unknown?: boolean;
}

export function memberStep(member: { name: string; machineStep?: string }, memberCount: number, options: ResolvedOptions): Step<KxContext> {
  const { name } = member;
  return {
    id: memberStepId(name),
    title: `etcd member ${name}`,
    needs: memberNeeds(member),
    inputs: () => ({ binDir: options.binDir, dataDir: options.dataDir, localEndpoint: options.localEndpoint }),
    async plan(ctx) {
      return (await planMember(ctx, name, memberCount, options)).changes;
    },
    async apply(ctx, changes) {
      if (changes.length === 0) return outputsOf(await requireHost(ctx, name));
      // The host is the truth: plan again and do what is still missing.
      const plan = await planMember(ctx, name, memberCount, options);
      if (plan.unknown) {
        throw new KxError(`etcd member ${name}: its machine, its peers or its certificates do not exist yet`, {
          hint: "The machines and pki steps must finish first; run the same command again.",
        });
      }
      const host = plan.host ?? (await requireHost(ctx, name));
      const session = await ctx.ssh.session(host.ssh);
      await Promise.all(
        plan.writes.map((file) => session.upload(file.path, file.content, { mode: file.mode, owner: file.owner })),
      );
      if (plan.joinThrough) await addMember(ctx, options, plan.joinThrough, host);
      const command = serviceCommand(plan.service);
      if (plan.service === "restart") {
        // One member at a time, each back and healthy before the next: the quorum holds.
        await restartLock(ctx).run(async () => {
          ctx.log.progress(name, "restarting etcd");
          await session.exec(command!, { sudo: true, retryOnDisconnect: true, label: "restart etcd" });
          await waitMemberHealthy(ctx, options, host);
        });
      } else if (command) {
        ctx.log.progress(name, "starting etcd");
        await session.exec(command, { sudo: true, retryOnDisconnect: true, label: `${plan.service} etcd` });
      }
      return outputsOf(host);
    },
  };
}

async function planMember(ctx: KxContext, name: string, memberCount: number, options: ResolvedOptions): Promise<MemberPlan> {
  const members = await etcdHosts(ctx);
  const host = members.find((h) => h.name === name);
  const certs = await certificateFiles(ctx, name);
  // Until every member's machine exists (a dry-run of a create), the unit cannot be known.
  if (!host || !certs || members.length < memberCount) return planFromNothing(name, host, certs);

  const session = await ctx.ssh.session(host.ssh);
  const facts = await readMemberFacts(session, options.dataDir);
  const written = unitClusterState(facts.unit);
  let state: "new" | "existing" = written ?? "new";
  let joinThrough: NodeHost | undefined;
  if (!facts.hasData) {
    const join = await joinDecision(ctx, options, members, host);
    if (join) {
      joinThrough = join.peer;
      state = "existing";
    }
  }
  const wanted = [...certs, unitFile(ctx, options, host, members, state)];
  const writes = wanted.filter((file) => differs(file, facts));
  const service = serviceAction(facts, writes.length > 0, Boolean(joinThrough));

  const changes: Change[] = writes.map((file) => ({
    action: "write",
    target: `host ${name}`,
    detail: file.path,
    host: name,
    files: [plannedFile(name, file)],
  }));
  if (joinThrough) {
    changes.push({ action: "run", target: `etcd ${name}`, host: name, detail: `etcdctl member add ${name} on ${joinThrough.name} (joins the running cluster)` });
  }
  if (service !== "none") {
    changes.push({ action: "run", target: `etcd ${name}`, host: name, detail: describeService(service, facts) });
  }
  return { changes, host, writes, service, joinThrough };
}

/** Before the machine or the certificates exist (a dry-run of a fresh create): everything. */
function planFromNothing(name: string, host: NodeHost | undefined, certs: WantedFile[] | undefined): MemberPlan {
  const paths = ["ca.crt", "server.crt", "server.key", "peer.crt", "peer.key", "healthcheck-client.crt", "healthcheck-client.key"].map(
    (f) => `${PKI_DIR}/${f}`,
  );
  const files = certs ?? paths.map((path) => ({ path, mode: path.endsWith(".key") ? 0o600 : 0o644, owner: "root:root", content: "", secret: path.endsWith(".key") }));
  const changes: Change[] = [...files.map((f) => f.path), UNIT_PATH].map((path) => ({
    action: "write" as const,
    target: `host ${name}`,
    detail: path,
    host: name,
    files: [
      {
        host: name,
        path,
        mode: path.endsWith(".key") ? 0o600 : 0o644,
        owner: "root:root",
        content: path.endsWith(".key") ? "*** (private key, from the secret store)" : "(made by earlier steps of this run)",
      },
    ],
  }));
  changes.push({ action: "run", target: `etcd ${name}`, host: name, detail: "systemctl daemon-reload && systemctl enable --now etcd" });
  return { changes, host, writes: [], service: "start", unknown: true };
}

function differs(file: WantedFile, facts: MemberFacts): boolean {
  const remote = facts.files.get(file.path);
  const content = typeof file.content === "string" ? file.content : file.content.reveal();
  return !remote || remote.sha256 !== sha256(content) || remote.mode !== file.mode || remote.owner !== file.owner;
}

function serviceAction(facts: MemberFacts, filesChanged: boolean, joining: boolean): ServiceAction {
  if (!facts.active) return "start";
  if (filesChanged || facts.needsReload || joining) return "restart";
  if (!facts.enabled) return "enable";
  return "none";
}

function describeService(action: ServiceAction, facts: MemberFacts): string {
  if (action === "restart") return "systemctl daemon-reload && systemctl restart etcd (configuration changed)";
  if (action === "enable") return "systemctl enable etcd";
  return `systemctl daemon-reload && systemctl enable --now etcd${facts.failed ? " (it had failed)" : ""}`;
}

/** --no-block: members wait for each other's quorum; etcd/cluster waits for health. */
function serviceCommand(action: ServiceAction): string | undefined {
  switch (action) {
    case "start":
      return "systemctl daemon-reload && systemctl enable etcd && systemctl start --no-block etcd";
    case "restart":
      return "systemctl daemon-reload && systemctl enable etcd && systemctl restart --no-block etcd";
    case "enable":
      return "systemctl enable etcd";
    case "none":
      return undefined;
  }
}

/**
 * Whether a member without data must join the running cluster (`member add`, then
 * "existing") rather than bootstrap with "new". It must when the cluster answers and
 * either does not list it (a member added to the config) or lists it as started before
 * (its data is gone: it is replaced). A member the cluster lists as never started, or a
 * cluster still forming (no member with data, or no quorum yet), bootstraps with "new".
 */
async function joinDecision(ctx: KxContext, options: ResolvedOptions, members: NodeHost[], host: NodeHost): Promise<{ peer: NodeHost } | undefined> {
  for (const peer of members) {
    if (peer.name === host.name) continue;
    const session = await ctx.ssh.session(peer.ssh);
    const probe = await session.exec(`test -d '${options.dataDir}/member'`, { sudo: true, readOnly: true, allowFailure: true, retryOnDisconnect: true, label: "look for etcd data" });
    if (probe.code !== 0) continue;
    const list = await memberList(ctx, options, peer);
    if (!list) return undefined;
    const entry = findEntry(list, host);
    return !entry || entry.name ? { peer } : undefined;
  }
  return undefined;
}

async function memberList(ctx: KxContext, options: ResolvedOptions, peer: NodeHost): Promise<MemberListEntry[] | undefined> {
  const session = await ctx.ssh.session(peer.ssh);
  const r = await session.exec(etcdctl(options.binDir, [clientUrl(peer)], "server", "member list -w json"), {
    sudo: true,
    readOnly: true,
    allowFailure: true,
    retryOnDisconnect: true,
    label: "etcdctl member list",
  });
  return r.code === 0 ? parseMemberList(r.stdout) : undefined;
}

function findEntry(list: MemberListEntry[], host: NodeHost): MemberListEntry | undefined {
  const peerUrl = `https://${host.privateIp}:2380`;
  return list.find((m) => m.name === host.name || m.peerURLs?.includes(peerUrl));
}

/**
 * Registers `host` with the running cluster through `peer`: a stale entry of the same
 * name (the member that lost its data) is removed first; an entry added by an earlier,
 * interrupted run is kept.
 */
async function addMember(ctx: KxContext, options: ResolvedOptions, peer: NodeHost, host: NodeHost): Promise<void> {
  const session = await ctx.ssh.session(peer.ssh);
  const run = (args: string, label: string) =>
    session.exec(etcdctl(options.binDir, [clientUrl(peer)], "server", args), { sudo: true, label });
  const list = await memberList(ctx, options, peer);
  if (!list) throw new KxError(`cannot add etcd member ${host.name}: the cluster does not answer on ${peer.name}`);
  const entry = findEntry(list, host);
  if (entry && !entry.name) return; // added earlier, not started yet: start it
  if (entry) await run(`member remove ${memberIdHex(entry.ID)}`, `etcdctl member remove ${host.name}`);
  await run(`member add ${host.name} --peer-urls=https://${host.privateIp}:2380`, `etcdctl member add ${host.name}`);
}

const restartLocks = new WeakMap<object, Limiter>();
function restartLock(ctx: KxContext): Limiter {
  let lock = restartLocks.get(ctx.ssh);
  if (!lock) restartLocks.set(ctx.ssh, (lock = new Limiter(1)));
  return lock;
}

async function waitMemberHealthy(ctx: KxContext, options: ResolvedOptions, host: NodeHost): Promise<void> {
  const session = await ctx.ssh.session(host.ssh);
  const deadline = Date.now() + options.healthTimeoutMs;
  for (let delay = 300; ; delay = Math.min(delay * 2, 3_000)) {
    const check = await session.exec(etcdctl(options.binDir, [clientUrl(host)], "healthcheck-client", "endpoint health"), {
      sudo: true,
      readOnly: true,
      allowFailure: true,
      retryOnDisconnect: true,
      label: "etcdctl endpoint health",
    });
    if (check.code === 0) return;
    if (Date.now() + delay > deadline || ctx.signal.aborted) {
      throw new KxError(`etcd on ${host.name} is not healthy after its restart`, {
        hint: `See its log with \`kx ssh ${host.name} -- journalctl -u etcd -n 50\`; the other members were left running.`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

async function requireHost(ctx: KxContext, name: string): Promise<NodeHost> {
  const host = (await etcdHosts(ctx)).find((h) => h.name === name);
  if (!host) throw new KxError(`etcd member ${name} is not in the inventory`, { hint: "Its machine step must run first." });
  return host;
}

function outputsOf(host: NodeHost): Outputs {
  return { name: host.name, endpoint: clientUrl(host) };
}
