/** The Istio steps: Istio's install order, the values for ambient and sidecar, the gateway's values against the chart's schema, and planning. */
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { deriveConfig } from "../../../src/config/derive.js";
import type { ClusterConfig } from "../../../src/config/schema.js";
import type { SecretStore } from "../../../src/secrets/store.js";
import type { SshPool, SshSession } from "../../../src/ssh/types.js";
import { ciliumValues } from "../../../src/steps/addons/cilium.js";
import { gatewayApiUrl } from "../../../src/steps/addons/gateway-api.js";
import { addonSteps } from "../../../src/steps/addons/index.js";
import { istioCniValues, istiodValues, istioGatewayValues, istioSteps } from "../../../src/steps/addons/istio.js";
import type { NodeHost } from "../../../src/steps/inventory.js";
import { fakeContext, parseConfig } from "../pki/fake-context.js";

const AWS = { region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"], dns: { zone: "lab.example.com" } };
const HOSTS = { hosts: [{ name: "m", address: "10.0.0.1", roles: ["control-plane", "etcd"] }] };
const master: NodeHost = { name: "master-a", role: "control-plane", privateIp: "10.0.64.5", nodeName: "ip-10-0-64-5", ssh: { host: "10.0.64.5", port: 22, user: "ubuntu" } as NodeHost["ssh"] };

const config = (overrides: object, istio: object = {}): ClusterConfig => deriveConfig(parseConfig({ ...overrides, addons: { istio } }) as never);

/** A master whose kubectl answers `get customresourcedefinition` with `crd` (undefined: not found); commands are recorded. */
function kubectlAnswers(crd: object | undefined): { pool: SshPool; commands: string[] } {
  const commands: string[] = [];
  const session = {
    target: { ...master.ssh, name: master.name },
    exec: async (command: string) => {
      commands.push(command);
      if (command.includes(" get customresourcedefinition ")) {
        return crd ? { code: 0, stdout: JSON.stringify(crd), stderr: "" } : { code: 1, stdout: "", stderr: 'Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io "gateways.gateway.networking.k8s.io" not found\n' };
      }
      if (command.includes(" apply --server-side -f ")) return { code: 0, stdout: "customresourcedefinition.apiextensions.k8s.io/gateways.gateway.networking.k8s.io serverside-applied\n", stderr: "" };
      throw new Error(`unexpected command ${command}`);
    },
  } as unknown as SshSession;
  return { pool: { session: async () => session, close: async () => {} }, commands };
}

const gatewaySchema = (() => {
  const schema = JSON.parse(readFileSync(new URL("../../harness/schemas/istio-gateway-values.schema.json", import.meta.url), "utf8"));
  delete schema.$schema; // "http://json-schema.org/schema#" is no meta-schema ajv knows
  const AjvClass = (Ajv as unknown as { default?: typeof Ajv }).default ?? Ajv;
  return new AjvClass({ strict: false, allErrors: true, validateSchema: false }).compile(schema);
})();

describe("Istio steps", () => {
  it("ambient: Gateway API CRDs, base, istiod, CNI, ztunnel, then the ingress gateway, each after the one before", () => {
    const steps = istioSteps(config(AWS), ["addons/cilium", "addons/cloud-controller"]);
    expect(steps.map((s) => [s.id, s.needs])).toEqual([
      ["addons/gateway-api", ["addons/cilium", "addons/cloud-controller"]],
      ["addons/istio-base", ["addons/gateway-api"]],
      ["addons/istiod", ["addons/istio-base"]],
      ["addons/istio-cni", ["addons/istiod"]],
      ["addons/ztunnel", ["addons/istio-cni"]],
      ["addons/istio-ingress", ["addons/ztunnel"]],
    ]);
  });

  it("sidecar: no ztunnel; the gateway follows the CNI agent", () => {
    const steps = istioSteps(config(AWS, { mode: "sidecar" }), ["addons/cilium"]);
    expect(steps.map((s) => s.id)).toEqual(["addons/gateway-api", "addons/istio-base", "addons/istiod", "addons/istio-cni", "addons/istio-ingress"]);
    expect(steps.at(-1)!.needs).toEqual(["addons/istio-cni"]);
  });

  it("every Istio chart at the configured version, in istio-system except the gateway", async () => {
    const c = config(AWS, { version: "1.30.2" });
    const inputs = istioSteps(c, []).slice(1).map((s) => (s.inputs!(fakeContext({ config: AWS, secrets: {} as SecretStore })) as { release: object }).release);
    const repo = "https://blob.istio.io/istio-release/charts";
    expect(inputs).toEqual([
      { release: "istio-base", chart: "base", repo, version: "1.30.2", namespace: "istio-system" },
      { release: "istiod", chart: "istiod", repo, version: "1.30.2", namespace: "istio-system" },
      { release: "istio-cni", chart: "cni", repo, version: "1.30.2", namespace: "istio-system" },
      { release: "ztunnel", chart: "ztunnel", repo, version: "1.30.2", namespace: "istio-system" },
      { release: "istio-ingress", chart: "gateway", repo, version: "1.30.2", namespace: "istio-ingress" },
    ]);
  });

  it("ambient profile for istiod and the CNI agent; in sidecar mode istiod leaves traffic capture to the CNI agent", () => {
    // Jaeger follows Istio: istiod knows it as the mesh's OpenTelemetry tracing provider.
    const jaeger = { name: "jaeger", opentelemetry: { service: "jaeger.istio-system.svc.cluster.local", port: 4317 } };
    expect(istiodValues(config(AWS))).toEqual({ profile: "ambient", meshConfig: { accessLogFile: "/dev/stdout", extensionProviders: [jaeger] } });
    expect(istioCniValues(config(AWS))).toEqual({ profile: "ambient" });
    const sidecar = config(AWS, { mode: "sidecar", observability: { jaeger: false } });
    expect(istiodValues(sidecar)).toEqual({ pilot: { cni: { enabled: true } }, meshConfig: { accessLogFile: "/dev/stdout" } });
    expect(istioCniValues(sidecar)).toEqual({});
  });

  it("Cilium shares the CNI config, so Istio's chained plugin stays in it", () => {
    expect(ciliumValues(config(AWS), "api.lab")).toMatchObject({ cni: { exclusive: false }, socketLB: { hostNamespaceOnly: true } });
  });

  it("the gateway: an NLB Service on AWS, a NodePort Service without a cloud load balancer; both valid for the gateway chart", () => {
    const aws = istioGatewayValues(config(AWS));
    expect(aws).toEqual({ service: { type: "LoadBalancer", annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" } } });
    const hosts = istioGatewayValues(config(HOSTS));
    expect(hosts).toEqual({ service: { type: "NodePort" } });
    for (const values of [aws, hosts]) expect(gatewaySchema(values), JSON.stringify(gatewaySchema.errors)).toBe(true);
    // The schema is strict: a misspelt key would fail the release.
    expect(gatewaySchema({ serviceAnnotations: {} })).toBe(false);
  });

  it("plans every step offline (no machines yet): installs, touching nothing", async () => {
    const ctx = fakeContext({ config: AWS, secrets: {} as SecretStore });
    const steps = addonSteps(config(AWS)).filter((s) => /istio|ztunnel|gateway-api/.test(s.id));
    const plans = await Promise.all(steps.map((s) => s.plan(ctx)));
    expect(plans).toEqual([
      [{ action: "create", target: "gateway-api CRDs", detail: "kubectl apply --server-side standard-install.yaml v1.5.1" }],
      [{ action: "create", target: "release istio-system/istio-base", detail: "helm install base 1.30.3" }],
      [{ action: "create", target: "release istio-system/istiod", detail: "helm install istiod 1.30.3" }],
      [{ action: "create", target: "release istio-system/istio-cni", detail: "helm install cni 1.30.3" }],
      [{ action: "create", target: "release istio-system/ztunnel", detail: "helm install ztunnel 1.30.3" }],
      [{ action: "create", target: "release istio-ingress/istio-ingress", detail: "helm install gateway 1.30.3" }],
    ]);
  });
});

describe("Gateway API CRDs step", () => {
  const step = (gatewayApiVersion?: string) => istioSteps(config(AWS, gatewayApiVersion ? { gatewayApiVersion } : {}), ["addons/cilium"])[0]!;
  const crd = (bundle: string) => ({ kind: "CustomResourceDefinition", metadata: { name: "gateways.gateway.networking.k8s.io", annotations: { "gateway.networking.k8s.io/bundle-version": bundle } } });
  const plan = async (installed: object | undefined, version?: string) => {
    const { pool, commands } = kubectlAnswers(installed);
    const ctx = fakeContext({ config: AWS, secrets: {} as SecretStore, hosts: [master], ssh: pool });
    return { changes: await step(version).plan(ctx), commands, ctx };
  };

  it("the release's standard-install.yaml of the configured version", () => {
    expect(gatewayApiUrl("1.5.1")).toBe("https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml");
    expect(gatewayApiUrl("v1.6.3")).toBe("https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.3/standard-install.yaml");
  });

  it("plans an install when the CRDs are absent, nothing when the bundle version matches, an update when it differs", async () => {
    const absent = await plan(undefined);
    expect(absent.changes).toEqual([{ action: "create", target: "gateway-api CRDs", host: "master-a", detail: "kubectl apply --server-side standard-install.yaml v1.5.1" }]);
    expect(absent.commands).toEqual(["kubectl --kubeconfig /etc/kubernetes/admin.conf get customresourcedefinition gateways.gateway.networking.k8s.io -o json"]);
    expect((await plan(crd("v1.5.1"))).changes).toEqual([]);
    expect((await plan(crd("v1.5.1"), "1.6.3")).changes).toEqual([
      { action: "update", target: "gateway-api CRDs", host: "master-a", detail: "kubectl apply --server-side standard-install.yaml v1.6.3 (installed: v1.5.1)" },
    ]);
  });

  it("applies the release URL server-side on the first control-plane node", async () => {
    const { pool, commands } = kubectlAnswers(undefined);
    const ctx = fakeContext({ config: AWS, secrets: {} as SecretStore, hosts: [master], ssh: pool });
    const url = "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml";
    expect(await step().apply(ctx, [])).toEqual({ version: "v1.5.1", url });
    expect(commands).toEqual([`kubectl --kubeconfig /etc/kubernetes/admin.conf apply --server-side -f ${url}`]);
  });

  it("a changed version runs the step again", () => {
    const ctx = fakeContext({ config: AWS, secrets: {} as SecretStore });
    expect(step().inputs!(ctx)).not.toEqual(step("1.6.3").inputs!(ctx));
  });
});
