/**
 * The Istio steps on a real cluster of test hosts (cluster fixture: PKI, real etcd,
 * kubeadm init on master-a, the kubectl and helm stand-ins over real SSH): Cilium first,
 * then the Gateway API CRDs from their release URL and each Istio release in order, as
 * kx's steps run them; a second plan finds nothing to do; the AWS flavour of the gateway
 * gets its NLB annotation on the Service.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterConfig } from "../../../src/config/schema.js";
import { ciliumStep } from "../../../src/steps/addons/cilium.js";
import { istioBaseValues, istioCniValues, istiodValues, istioGatewayValues, istioSteps } from "../../../src/steps/addons/istio.js";
import { failingExec, type ClusterFixture, type TestHost } from "../kubernetes/cluster-fixture.js";
import { startAddonCluster } from "./addon-cluster.js";

const ADMIN = "--kubeconfig /etc/kubernetes/admin.conf";
const GATEWAY_API = "https://github.com/kubernetes-sigs/gateway-api/releases/download";
const STANDARD_CRDS = ["backendtlspolicies", "gatewayclasses", "gateways", "grpcroutes", "httproutes", "listenersets", "referencegrants", "tlsroutes"].map((p) => `${p}.gateway.networking.k8s.io`);

let c: ClusterFixture;
let master: TestHost;
let config: ClusterConfig;

const json = (command: string) => JSON.parse(master.exec(command));
const status = (release: string, ns: string) => json(`helm status ${release} -n ${ns} -o json ${ADMIN}`);

const fails = (command: string) => failingExec(master, command);

beforeAll(async () => {
  ({ c, master, config } = await startAddonCluster({ cilium: false }));
}, 240_000);

afterAll(async () => {
  await c?.stop();
});

describe("Istio steps on a one-master cluster", () => {
  it("Cilium, then the Gateway API CRDs and each Istio release in Istio's order, deployed with kx's values", async () => {
    const steps = [ciliumStep(config, []), ...istioSteps(config, ["addons/cilium"])];
    const outputs = await c.run(steps);
    expect(Object.keys(outputs)).toEqual(["addons/cilium", "addons/gateway-api", "addons/istio-base", "addons/istiod", "addons/istio-cni", "addons/ztunnel", "addons/istio-ingress"]);
    expect(outputs["addons/gateway-api"]).toEqual({ version: "v1.5.1", url: `${GATEWAY_API}/v1.5.1/standard-install.yaml` });

    const crds = json(`kubectl ${ADMIN} get crd -o json`).items as { metadata: { name: string; annotations: Record<string, string> }; spec: { scope: string } }[];
    const gateway = crds.filter((d) => d.metadata.name.endsWith(".gateway.networking.k8s.io"));
    expect(gateway.map((d) => d.metadata.name).sort()).toEqual(STANDARD_CRDS);
    expect(gateway.every((d) => d.metadata.annotations["gateway.networking.k8s.io/bundle-version"] === "v1.5.1")).toBe(true);
    // istio-base brings Istio's own (the stand-in models those of the kinds kx applies).
    expect(crds.map((d) => d.metadata.name)).toContain("telemetries.telemetry.istio.io");

    const releases: [string, string, string, object][] = [
      ["istio-base", "istio-system", "base", istioBaseValues()],
      ["istiod", "istio-system", "istiod", istiodValues(config)],
      ["istio-cni", "istio-system", "cni", istioCniValues(config)],
      ["ztunnel", "istio-system", "ztunnel", {}],
      ["istio-ingress", "istio-ingress", "gateway", istioGatewayValues(config)],
    ];
    for (const [release, ns, chart, values] of releases) {
      expect(status(release, ns), release).toMatchObject({ info: { status: "deployed" }, chart: { metadata: { name: chart, version: "1.30.3" } }, config: values });
    }
    expect(json(`kubectl ${ADMIN} get daemonset ztunnel -n istio-system -o json`).metadata.annotations["meta.helm.sh/release-name"]).toBe("ztunnel");
    // A hosts: cluster has no cloud load balancer: the gateway is a NodePort Service.
    const svc = json(`kubectl ${ADMIN} get service istio-ingress -n istio-ingress -o json`);
    expect(svc.spec.type).toBe("NodePort");
    expect(svc.metadata.annotations).not.toHaveProperty(["service.beta.kubernetes.io/aws-load-balancer-type"]);
    expect(svc.spec.selector).toEqual({ app: "istio-ingress", istio: "ingress" });
  }, 150_000);

  it("a second run plans nothing: the CRDs' bundle version and every release match", async () => {
    const plans = await Promise.all(istioSteps(config, ["addons/cilium"]).map((s) => s.plan(c.ctx)));
    expect(plans).toEqual([[], [], [], [], [], []]);
  });

  it("with the AWS cloud controller the gateway's Service is an NLB: the release is upgraded and the Service annotated", async () => {
    const aws = { ...config, addons: { ...config.addons, cloudController: { ...config.addons.cloudController, enabled: true } } };
    const ingress = istioSteps(aws, ["addons/cilium"]).at(-1)!;
    const [change] = await ingress.plan(c.ctx);
    expect(change).toMatchObject({ action: "update", detail: "helm upgrade gateway 1.30.3 (values changed)" });
    await c.run([ingress]);
    expect(status("istio-ingress", "istio-ingress").version).toBe(2);
    const svc = json(`kubectl ${ADMIN} get service istio-ingress -n istio-ingress -o json`);
    expect(svc.spec.type).toBe("LoadBalancer");
    expect(svc.metadata.annotations).toMatchObject({ "service.beta.kubernetes.io/aws-load-balancer-type": "nlb", "meta.helm.sh/release-name": "istio-ingress" });
  });
});

describe("kubectl stand-in: manifests by URL", () => {
  it("a gateway-api release applies again (configured), and server-side says serverside-applied", () => {
    const url = `${GATEWAY_API}/v1.5.1/standard-install.yaml`;
    const out = master.exec(`kubectl ${ADMIN} apply -f ${url}`);
    expect(out).toContain("customresourcedefinition.apiextensions.k8s.io/gateways.gateway.networking.k8s.io configured");
    expect(out).toContain("validatingadmissionpolicy.admissionregistration.k8s.io/safe-upgrades.gateway.networking.k8s.io configured");
    expect(master.exec(`kubectl ${ADMIN} apply --server-side -f ${url}`)).toContain("customresourcedefinition.apiextensions.k8s.io/httproutes.gateway.networking.k8s.io serverside-applied");
  });

  it("a release that does not exist is GitHub's 404; any other URL is unreachable; a missing file is named", () => {
    expect(fails(`kubectl ${ADMIN} apply --server-side -f ${GATEWAY_API}/v1.9.9/standard-install.yaml`)).toBe(
      `error: unable to read URL "${GATEWAY_API}/v1.9.9/standard-install.yaml", server reported 404 Not Found, status code=404\n`,
    );
    expect(fails(`kubectl ${ADMIN} apply -f https://example.com/crds.yaml`)).toContain('error: Get "https://example.com/crds.yaml": dial tcp: lookup example.com');
    expect(fails(`kubectl ${ADMIN} apply -f /root/none.yaml`)).toBe('error: the path "/root/none.yaml" does not exist\n');
  });
});
