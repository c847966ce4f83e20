/**
 * The PKI every control-plane node must share, placed from ctx.secrets before kubeadm
 * init / join --control-plane (manual certificate distribution: kubeadm keeps existing
 * pairs, so every master signs with the same CAs and the API servers verify each other's
 * service-account tokens).
 */
import { KxError } from "../../engine/errors.js";
import type { PlannedFile } from "../../engine/types.js";
import type { SshSession } from "../../ssh/types.js";
import type { KxContext } from "../context.js";
import { PKI_DIR } from "./kubeadm-config.js";
import { placeFile } from "./remote.js";

/** secret name → file under /etc/kubernetes/pki. */
export const SHARED_CERTIFICATES: readonly { secret: string; file: string }[] = [
  { secret: "pki/ca.crt", file: "ca.crt" },
  { secret: "pki/ca.key", file: "ca.key" },
  { secret: "pki/sa.key", file: "sa.key" },
  { secret: "pki/sa.pub", file: "sa.pub" },
  { secret: "pki/front-proxy-ca.crt", file: "front-proxy-ca.crt" },
  { secret: "pki/front-proxy-ca.key", file: "front-proxy-ca.key" },
  { secret: "pki/etcd/ca.crt", file: "etcd/ca.crt" },
  { secret: "pki/etcd/apiserver-etcd-client.crt", file: "apiserver-etcd-client.crt" },
  { secret: "pki/etcd/apiserver-etcd-client.key", file: "apiserver-etcd-client.key" },
];

const modeOf = (file: string) => (file.endsWith(".key") ? 0o600 : 0o644);

/** The files as --show-files lists them: certificates in clear, keys masked. */
export function plannedCertificateFiles(host: string): PlannedFile[] {
  return SHARED_CERTIFICATES.map(({ secret, file }) => ({
    host,
    path: `${PKI_DIR}/${file}`,
    mode: modeOf(file),
    owner: "root:root",
    content: `(${secret} from the secret store${file.endsWith(".key") ? ", masked" : ""})`,
  }));
}

/** Places every shared file; unchanged ones are not written again. Returns how many it wrote. */
export async function placeSharedCertificates(ctx: KxContext, session: SshSession): Promise<number> {
  const values = await Promise.all(SHARED_CERTIFICATES.map(({ secret }) => ctx.secrets.get(secret)));
  const missing = SHARED_CERTIFICATES.filter((_, i) => !values[i]).map((c) => c.secret);
  if (missing.length > 0) {
    throw new KxError(`the secret store lacks ${missing.join(", ")}`, { hint: "The pki/* steps make them; run the create again." });
  }
  let written = 0;
  for (const [i, { file }] of SHARED_CERTIFICATES.entries()) {
    const value = values[i]!;
    const content = file.endsWith(".key") ? value : value.reveal();
    if (await placeFile(session, `${PKI_DIR}/${file}`, content, modeOf(file))) written++;
  }
  return written;
}
