/** The test hosts themselves: isolation, the systemctl/journalctl stand-ins, teardown. */
import { connect } from "node:net";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHosts } from "./index.js";

let cloud: Awaited<ReturnType<typeof startTestHosts>>;
beforeAll(async () => {
  cloud = await startTestHosts({ count: 2 });
}, 60_000);
afterAll(async () => cloud?.stop());

const sh = (i: number, command: string) => {
  try {
    return { code: 0, out: cloud.hosts[i]!.exec(command) };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, out: `${err.stdout}${err.stderr}` };
  }
};

const canConnect = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host, port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });

describe("test hosts", () => {
  it("each has its own hostname, private views of kx's paths, and sshd on its own address only", async () => {
    const [a, b] = cloud.hosts;
    expect(sh(0, "hostname").out.trim()).toBe(a!.name);
    sh(0, "echo mine > /etc/kubernetes/marker");
    expect(sh(1, "cat /etc/kubernetes/marker").code).not.toBe(0);
    expect(existsSync("/etc/kubernetes/marker")).toBe(false);
    expect(sh(0, "readlink -f /usr/local/bin/etcd").out.trim()).toBe("/usr/bin/etcd");
    expect(await canConnect(a!.address, 22)).toBe(true);
    const unused = `${a!.address.split(".").slice(0, 3).join(".")}.200`;
    expect(await canConnect(unused, 22)).toBe(false);
    expect(a!.address).not.toBe(b!.address);
  });

  it("systemctl runs what a unit's ExecStart says, with its environment, and only after daemon-reload sees a change", () => {
    sh(0, `printf 'GREETING=from-file\\n' > /etc/etcd/env
cat > /etc/systemd/system/hello.service <<'U'
[Unit]
Description=test
[Service]
Environment=NAME=kx
EnvironmentFile=/etc/etcd/env
ExecStart=/bin/sh -c \\
  'echo "$GREETING $NAME"; exec sleep 300'
[Install]
WantedBy=multi-user.target
U`);
    expect(sh(0, "systemctl is-active hello")).toEqual({ code: 3, out: "inactive\n" });
    expect(sh(0, "systemctl daemon-reload && systemctl enable --now hello").code).toBe(0);
    expect(sh(0, "systemctl is-active hello; systemctl is-enabled hello").out).toBe("active\nenabled\n");
    const pid = sh(0, "systemctl show -p MainPID --value hello").out.trim();
    expect(sh(0, `cat /proc/${pid}/cmdline | tr '\\0' ' '`).out).toBe("sleep 300 ");
    expect(sh(0, "sleep 0.2; journalctl -u hello --no-pager").out).toContain("from-file kx");

    sh(0, "sed -i 's/NAME=kx/NAME=changed/' /etc/systemd/system/hello.service");
    expect(sh(0, "systemctl show -p NeedDaemonReload hello").out).toBe("NeedDaemonReload=yes\n");
    sh(0, "systemctl restart hello");
    expect(sh(0, "sleep 0.2; journalctl -u hello | grep from-file | tail -n 1").out).toContain("from-file kx"); // the loaded unit, as systemd does
    sh(0, "systemctl daemon-reload && systemctl restart hello");
    expect(sh(0, "sleep 0.2; journalctl -u hello | grep from-file | tail -n 1").out).toContain("from-file changed");

    expect(sh(0, "systemctl stop hello && systemctl is-active hello")).toEqual({ code: 3, out: "inactive\n" });
    expect(sh(0, `kill -0 ${pid}`).code).not.toBe(0);
    expect(sh(0, "systemctl disable hello && systemctl is-enabled hello").out).toContain("disabled");
  });

  it("systemctl refuses what systemd refuses and reports a died service as failed", () => {
    const unit = (name: string, body: string) => sh(1, `printf '%s\\n' '[Service]' '${body}' > /etc/systemd/system/${name}.service`);
    unit("noexec", "Type=simple");
    expect(sh(1, "systemctl start noexec")).toMatchObject({ code: 1, out: expect.stringContaining("has no ExecStart= setting") });
    unit("relative", "ExecStart=etcd --name=x");
    expect(sh(1, "systemctl start relative")).toMatchObject({ code: 1, out: expect.stringContaining("not absolute") });
    unit("missing", "ExecStart=/usr/local/bin/not-installed");
    expect(sh(1, "systemctl start missing")).toMatchObject({ code: 1, out: expect.stringContaining("203/EXEC") });
    expect(sh(1, "systemctl start nosuch")).toMatchObject({ code: 5, out: expect.stringContaining("Unit nosuch.service not found.") });
    unit("dies", "ExecStart=/bin/false");
    sh(1, "systemctl start dies; sleep 0.2");
    expect(sh(1, "systemctl is-active dies")).toEqual({ code: 3, out: "failed\n" });
    expect(sh(1, "systemctl frobnicate dies")).toMatchObject({ code: 1, out: expect.stringContaining("unsupported command frobnicate") });
  });

  it("systemctl runs a oneshot service to its end, and a timer waits for its service", () => {
    const put = (name: string, body: string) => sh(1, `cat > /etc/systemd/system/${name} <<'U'\n${body}\nU`);
    put("tick.service", "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'echo ticked >> /run/kx/ticks'");
    put("tick.timer", "[Timer]\nOnBootSec=10min\nOnUnitActiveSec=12h\n[Install]\nWantedBy=timers.target");
    expect(sh(1, "systemctl daemon-reload && systemctl enable --now tick.timer")).toEqual({ code: 0, out: expect.stringContaining("timers.target.wants/tick.timer") });
    expect(sh(1, "systemctl is-active tick.timer; systemctl is-enabled tick.timer; systemctl show -p SubState --value tick.timer").out).toBe("active\nenabled\nwaiting\n");
    expect(sh(1, "systemctl start tick.service && systemctl start tick.service && cat /run/kx/ticks").out).toBe("ticked\nticked\n");
    expect(sh(1, "systemctl is-active tick.service")).toEqual({ code: 3, out: "inactive\n" });

    put("bad.service", "[Service]\nType=oneshot\nExecStart=/bin/false");
    expect(sh(1, "systemctl start bad.service")).toMatchObject({ code: 1, out: expect.stringContaining("control process exited with error code") });
    expect(sh(1, "systemctl is-active bad.service").out).toBe("failed\n");
    put("novalue.timer", "[Timer]\nPersistent=true");
    expect(sh(1, "systemctl start novalue.timer").out).toContain("Timer unit lacks value setting");
    put("orphan.timer", "[Timer]\nOnBootSec=1min");
    expect(sh(1, "systemctl start orphan.timer").out).toContain("unit orphan.service to trigger not loaded");
    expect(sh(1, "systemctl stop tick.timer && systemctl is-active tick.timer").out).toBe("inactive\n");
  });

  it("hostnamectl sets the host's name; added /etc/hosts lines reach every host", () => {
    expect(sh(1, "hostnamectl set-hostname ip-10-0-1-5.eu-west-1.compute.internal && hostname && cat /etc/hostname").out).toBe(
      "ip-10-0-1-5.eu-west-1.compute.internal\nip-10-0-1-5.eu-west-1.compute.internal\n",
    );
    expect(sh(1, "hostnamectl set-hostname 'bad name'").code).not.toBe(0);
    cloud.addHostsEntries([`${cloud.hosts[1]!.address} api.test.internal`]);
    for (const i of [0, 1]) expect(sh(i, "getent hosts api.test.internal").out).toContain(cloud.hosts[1]!.address);
  });

  it("stop() leaves no process, mount or directory behind", async () => {
    sh(0, "systemctl start hello");
    expect(cloud.leftovers().length).toBeGreaterThan(0);
    await cloud.stop();
    expect(cloud.leftovers()).toEqual([]);
    expect(existsSync(cloud.dir)).toBe(false);
  });
});
