/**
 * One EC2 instance owned by one step: found by its tags, launched with a ClientToken so
 * a launch retried after a crash returns the same instance, waited for until running,
 * and its SSH host keys read from its console output. Shared by the etcd and
 * control-plane instances and the bastion.
 */
import type { Instance, RunInstancesCommandInput } from "@aws-sdk/client-ec2";
import type { AwsClients } from "../../aws/clients.js";
import { ec2Api } from "../../aws/sdk.js";
import { awsCall, errorCode, toAwsError } from "../../aws/errors.js";
import { clientToken } from "../../aws/client-token.js";
import { stepFilters } from "../../aws/tags.js";
import { abortableSleep, backoffDelay, waitFor, type WaitOptions } from "../../aws/waiters.js";
import { KxError } from "../../engine/errors.js";
import type { Outputs } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { parseConsoleHostKeys } from "./console-host-keys.js";

/** States of an instance that still counts: a terminated one is replaced, a stopped one is not. */
const LIVE_STATES = ["pending", "running", "stopping", "stopped"];
const GONE_STATES = ["shutting-down", "terminated"];

export interface InstanceOutputs extends Outputs {
  instanceId: string;
  name: string;
  privateIp: string;
  privateDns: string;
  zone: string;
  hostKeys: string[];
}

/** The step's live instance, or undefined. Throws when the step owns more than one (never by kx). */
export async function findInstance(aws: AwsClients, cluster: string, stepId: string): Promise<Instance | undefined> {
  const instances = await describeOwned(aws, cluster, stepId, LIVE_STATES);
  if (instances.length > 1) {
    const ids = instances.map((i) => i.InstanceId).join(", ");
    throw new KxError(`more than one instance is tagged kx:id=${stepId} for cluster ${cluster}: ${ids}`, {
      hint: "Terminate the extra instances (keep the one the cluster uses) and run again.",
    });
  }
  return instances[0];
}

async function describeOwned(aws: AwsClients, cluster: string, stepId: string, states: string[]): Promise<Instance[]> {
  const { client: ec2, sdk } = await ec2Api(aws);
  const found: Instance[] = [];
  let NextToken: string | undefined;
  do {
    const page = await awsCall("DescribeInstances", stepId, () =>
      ec2.send(
        new sdk.DescribeInstancesCommand({
          Filters: [...stepFilters(cluster, stepId), { Name: "instance-state-name", Values: states }],
          NextToken,
        }),
      ),
    );
    for (const reservation of page.Reservations ?? []) found.push(...(reservation.Instances ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
}

/**
 * RunInstances with a deterministic ClientToken. The token's generation counts the
 * step's terminated instances, so an instance terminated by hand is replaced rather than
 * handed back by the token; if AWS still answers with a terminated instance (or none,
 * once the terminated one has vanished), the next generation is tried.
 */
export async function launchInstance(ctx: KxContext, stepId: string, input: Omit<RunInstancesCommandInput, "ClientToken" | "MinCount" | "MaxCount">): Promise<Instance> {
  const { client: ec2, sdk } = await ec2Api(ctx.aws);
  let generation = (await describeOwned(ctx.aws, ctx.cluster, stepId, GONE_STATES)).length;
  for (let attempt = 0; attempt < 5; attempt++, generation++) {
    // The subnet in the token: a cluster destroyed and re-created under the same name
    // (within the day AWS remembers tokens) launches into new subnets, so gets new tokens.
    const token = clientToken(ctx.cluster, `${stepId}:${input.SubnetId ?? input.NetworkInterfaces?.[0]?.SubnetId ?? ""}`, generation);
    const result = await untilProfileVisible(ctx.signal, () =>
      awsCall("RunInstances", stepId, () => ec2.send(new sdk.RunInstancesCommand({ ...input, MinCount: 1, MaxCount: 1, ClientToken: token }))),
    );
    // A token whose instance was terminated answers with it (or, once it has vanished, with nothing).
    const instance = result.Instances?.[0];
    if (instance?.InstanceId && !GONE_STATES.includes(instance.State?.Name ?? "")) return instance;
  }
  throw new KxError(`RunInstances for ${stepId} kept returning terminated instances or none`, {
    hint: "Wait until the terminated instances of this step disappear from the EC2 console, then run again.",
  });
}

/**
 * A new instance profile takes seconds to be usable by EC2 (IAM is eventually
 * consistent): RunInstances rejects it as invalid meanwhile. Retried for two minutes.
 */
async function untilProfileVisible<T>(signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const profileNotReady = errorCode(e) === "InvalidParameterValue" && /iamInstanceProfile/i.test(String((e as Error).message));
      if (!profileNotReady || Date.now() > deadline) throw e;
      await abortableSleep(backoffDelay(attempt, 1_000, 10_000), signal);
    }
  }
}

/** Waits until the instance runs and has its private address; returns its description. */
export async function waitRunning(ctx: KxContext, instanceId: string, name: string): Promise<Instance> {
  const { client: ec2, sdk } = await ec2Api(ctx.aws);
  return waitFor(
    () =>
      awsCall("DescribeInstances", instanceId, () => ec2.send(new sdk.DescribeInstancesCommand({ InstanceIds: [instanceId] })))
        .then((r) => r.Reservations?.[0]?.Instances?.[0])
        .catch((e: unknown) => {
          // A new instance may not be visible yet (eventual consistency).
          if (errorCode(e) === "InvalidInstanceID.NotFound") return undefined;
          throw e;
        }),
    (instance) => {
      const state = instance?.State?.Name ?? "not visible yet";
      if (state === "running" && instance?.PrivateIpAddress) return { done: true, value: instance };
      if (GONE_STATES.includes(state)) {
        throw new KxError(`instance ${name} (${instanceId}) is ${state}: ${instance?.StateReason?.Message ?? "no reason given"}`);
      }
      // kx never stops machines: someone did, and waiting will not start it.
      if (state === "stopped") {
        throw new KxError(`instance ${name} (${instanceId}) is stopped`, {
          source: "user",
          hint: `Start it (aws ec2 start-instances --instance-ids ${instanceId}) or terminate it so kx launches a new one, then run again.`,
        });
      }
      return { done: false, state };
    },
    { what: `instance ${name} (${instanceId}) to be running`, signal: ctx.signal, timeoutMs: 10 * 60_000 },
  );
}

/** Polls the console until cloud-init has printed the host keys (15 minutes unless `wait` says otherwise). */
export async function readHostKeys(
  ctx: Pick<KxContext, "aws" | "signal">,
  instanceId: string,
  name: string,
  wait: Partial<WaitOptions> = {},
): Promise<string[]> {
  const { client: ec2, sdk } = await ec2Api(ctx.aws);
  // The live console (Latest) exists only on Nitro instances; others give the buffered snapshot.
  let latest = true;
  const read = async (): Promise<string> => {
    try {
      const r = await ec2.send(new sdk.GetConsoleOutputCommand({ InstanceId: instanceId, ...(latest ? { Latest: true } : {}) }));
      return Buffer.from(r.Output ?? "", "base64").toString("utf8");
    } catch (e) {
      if (!latest || errorCode(e) !== "UnsupportedOperation") throw toAwsError(e, "GetConsoleOutput", instanceId);
      latest = false;
      return read();
    }
  };
  return waitFor(
    read,
    (text) => {
      const keys = parseConsoleHostKeys(text);
      return keys ? { done: true, value: keys } : { done: false, state: text ? "console output without host keys yet" : "no console output yet" };
    },
    {
      what: `the SSH host keys of ${name} (${instanceId}) in its console output`,
      signal: ctx.signal,
      timeoutMs: 15 * 60_000,
      ...wait,
    },
  );
}

/** Running, addressed and with its host keys read: the step's outputs. */
export async function instanceOutputs(ctx: KxContext, instance: Instance, name: string, zone: string): Promise<InstanceOutputs> {
  const running = await waitRunning(ctx, instance.InstanceId!, name);
  const hostKeys = await readHostKeys(ctx, running.InstanceId!, name);
  return {
    instanceId: running.InstanceId!,
    name,
    privateIp: running.PrivateIpAddress!,
    privateDns: running.PrivateDnsName ?? "",
    zone,
    hostKeys,
  };
}
