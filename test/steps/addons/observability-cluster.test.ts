/**
 * The observability steps on a real cluster of test hosts (cluster fixture: PKI, real etcd,
 * kubeadm init on master-a, the kubectl and helm stand-ins over real SSH), after Cilium and
 * the Istio mesh, as kx's steps run them: each release deployed with kx's values, the
 * Services that Kiali, istiod and the end-of-create lines name exist with those ports, the
 * mesh's Telemetry object is in, and a second plan finds nothing to do.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterConfig } from "../../../src/config/schema.js";
import { istiodValues, istioSteps } from "../../../src/steps/addons/istio.js";
import { jaegerValues, kialiValues, meshTelemetry, observabilitySteps, prometheusStackValues } from "../../../src/steps/addons/observability.js";
import { failingExec, type ClusterFixture, type TestHost } from "../kubernetes/cluster-fixture.js";
import { startAddonCluster } from "./addon-cluster.js";

const ADMIN = "--kubeconfig /etc/kubernetes/admin.conf";

let c: ClusterFixture;
let master: TestHost;
let config: ClusterConfig;

const json = (command: string) => JSON.parse(master.exec(command));
const status = (release: string) => json(`helm status ${release} -n istio-system -o json ${ADMIN}`);
const service = (name: string) => json(`kubectl ${ADMIN} get service ${name} -n istio-system -o json`) as { spec: { ports: { name: string; port: number }[] } };
const ports = (name: string) => service(name).spec.ports.map((p) => p.port);
/** "http://host.ns:port[/…]" -> [host, port] */
const hostPort = (url: string) => {
  const u = new URL(url);
  return [u.hostname.split(".")[0], Number(u.port || 80)] as const; // URL leaves out http's default port
};

beforeAll(async () => {
  ({ c, master, config } = await startAddonCluster({ cilium: true }));
}, 240_000);

afterAll(async () => {
  await c?.stop();
});

describe("observability steps after Istio on a one-master cluster", () => {
  it("before istio-base there is no Telemetry kind: kubectl refuses the mesh's tracing as the real one does", async () => {
    master.exec(`cat > /root/telemetry.yaml <<'EOF'\n${meshTelemetry()}EOF`);
    expect(failingExec(master, `kubectl ${ADMIN} apply -f /root/telemetry.yaml`)).toBe(
      'error: resource mapping not found for name: "mesh-default" namespace: "istio-system" from "/root/telemetry.yaml": no matches for kind "Telemetry" in version "telemetry.istio.io/v1"\nensure CRDs are installed first\n',
    );
    await c.run(istioSteps(config, ["addons/cilium"]));
  }, 150_000);

  it("kube-prometheus-stack, Jaeger and Kiali deployed in istio-system with kx's values, in the steps' order", async () => {
    const outputs = await c.run(observabilitySteps(config));
    expect(Object.keys(outputs)).toEqual(["addons/prometheus", "addons/jaeger", "addons/kiali"]);
    const { kubePrometheusStack, jaeger, kiali } = config.addons.istio.observabilityCharts;
    expect(status("kube-prometheus-stack")).toMatchObject({ info: { status: "deployed" }, chart: { metadata: { name: "kube-prometheus-stack", version: kubePrometheusStack } }, config: prometheusStackValues(config) });
    expect(status("jaeger")).toMatchObject({ info: { status: "deployed" }, chart: { metadata: { name: "jaeger", version: jaeger } }, config: jaegerValues() });
    expect(status("kiali")).toMatchObject({ info: { status: "deployed" }, chart: { metadata: { name: "kiali-server", version: kiali } }, config: kialiValues(config) });
  }, 150_000);

  it("what Kiali, istiod and the end-of-create lines name is there: svc/grafana:80, svc/kiali:20001, svc/jaeger with OTLP 4317 and the UI", () => {
    const external = (kialiValues(config) as { external_services: Record<string, { url?: string; internal_url?: string }> }).external_services;
    for (const url of [external.prometheus!.url!, external.grafana!.internal_url!, external.tracing!.internal_url!]) {
      const [name, port] = hostPort(url);
      expect(ports(name!), url).toContain(port);
    }
    expect(ports("grafana")).toContain(80);
    expect(ports("kiali")).toContain(20001);
    expect(ports("jaeger")).toEqual(expect.arrayContaining([4317, 16686]));
    // istiod (deployed by the Istio steps) sends spans where Jaeger listens.
    const [provider] = (status("istiod").config as ReturnType<typeof istiodValues> & { meshConfig: { extensionProviders: { opentelemetry: { service: string; port: number } }[] } }).meshConfig.extensionProviders;
    expect(provider!.opentelemetry.service.split(".").slice(0, 2)).toEqual(["jaeger", "istio-system"]);
    expect(ports("jaeger")).toContain(provider!.opentelemetry.port);
  });

  it("the mesh's Telemetry object is in (applying it again configures it); its CRD's schema refuses a bad sampling rate", () => {
    expect(master.exec(`kubectl ${ADMIN} apply -f /etc/kubernetes/kx/addons/telemetry-tracing.yaml`)).toBe("telemetry.telemetry.istio.io/mesh-default configured\n");
    master.exec(`sed 's/randomSamplingPercentage: 1/randomSamplingPercentage: 101/' /etc/kubernetes/kx/addons/telemetry-tracing.yaml > /root/bad-telemetry.yaml`);
    expect(failingExec(master, `kubectl ${ADMIN} apply -f /root/bad-telemetry.yaml`)).toMatch(/spec\.tracing\[0\]\.randomSamplingPercentage/);
  });

  it("the kiali-server stand-in fails a release whose auth strategy Kiali does not know, with Kiali's words", () => {
    master.exec(`printf 'auth:\\n  strategy: tokens\\ndeployment:\\n  instance_name: kiali-typo\\n' > /root/kiali-typo.yaml`);
    const repo = "--repo https://kiali.org/helm-charts --version 2.31.0 -n istio-system --values /root/kiali-typo.yaml --wait --timeout 1m0s";
    expect(failingExec(master, `helm upgrade --install kiali-typo kiali-server ${repo} ${ADMIN}`)).toContain('auth.strategy "tokens" is not one of anonymous, header, openid, openshift, token');
    expect(status("kiali-typo").info.status).toBe("failed");
  });

  it("a second run plans nothing", async () => {
    const plans = await Promise.all(observabilitySteps(config).map((s) => s.plan(c.ctx)));
    expect(plans).toEqual([[], [], []]);
  });

  it("with Grafana off the release is upgraded and svc/grafana goes; Kiali's values change with it", async () => {
    const off = { ...config, addons: { ...config.addons, istio: { ...config.addons.istio, observability: { ...config.addons.istio.observability, grafana: false } } } };
    const steps = observabilitySteps(off);
    const plans = await Promise.all(steps.map((s) => s.plan(c.ctx)));
    expect(plans.map((p) => p.map((ch) => ch.detail))).toEqual([[`helm upgrade kube-prometheus-stack ${config.addons.istio.observabilityCharts.kubePrometheusStack} (values changed)`], [], [`helm upgrade kiali-server ${config.addons.istio.observabilityCharts.kiali} (values changed)`]]);
    await c.run(steps);
    expect(status("kube-prometheus-stack").version).toBe(2);
    expect(() => master.exec(`kubectl ${ADMIN} get service grafana -n istio-system -o json`)).toThrow();
  }, 150_000);
});
