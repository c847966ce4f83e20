/** YAML builders for config tests; line numbers in the tests count from these. */
export const HEAD = "apiVersion: kx.dev/v1alpha1\nkind: Cluster\nname: lab\n";

/** Lines 1-3 are the head; `body` starts at line 4. */
export const doc = (body: string): string => `${HEAD}${body}`;

/** A minimal valid AWS cluster; `body` starts at line 7. */
export const aws = (body = ""): string =>
  doc(`region: eu-west-1\ndns: { zone: lab.example.com }\nssh: { bastion: { allowedCidrs: [203.0.113.0/24] } }\n${body}`);

/** A minimal valid hosts: cluster (one etcd + control-plane host, one worker); `body` starts at line 7. */
export const hosts = (body = ""): string =>
  doc(
    "hosts:\n" +
      "  - { name: node-1, address: 10.1.0.1, roles: [etcd, control-plane] }\n" +
      "  - { name: node-2, address: 10.1.0.2, roles: [worker] }\n" +
      body,
  );
