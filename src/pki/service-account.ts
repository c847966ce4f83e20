/** The service-account token signing key pair kubeadm expects as sa.key / sa.pub. */
import { generateKeyPair, type KeyPair } from "./keys.js";

/** RSA-2048: tokens are then RS256, which every OIDC/JWT consumer accepts (kubeadm's default too). */
export function generateServiceAccountKeyPair(): Promise<KeyPair> {
  return generateKeyPair("RSA-2048");
}
