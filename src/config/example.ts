/**
 * The commented example config: what `kx config init` writes, and examples/cluster.yaml
 * byte for byte (a test holds them together, and checks that it validates).
 */
export const EXAMPLE_CONFIG = `# kx cluster config. Check it with \`kx config validate -f cluster.yaml\`;
# \`kx schema\` prints the JSON Schema of this file for your editor.
apiVersion: kx.dev/v1alpha1
kind: Cluster

# The cluster's name: a DNS-1123 label. AWS resources are tagged kx:cluster=<name>.
name: lab
# The AWS region, and its 3 availability zones: one etcd member, one control-plane
# node, one NAT gateway and a public + private subnet in each.
region: eu-west-1
zones: [eu-west-1a, eu-west-1b, eu-west-1c]

network:
  vpcCidr: 10.0.0.0/16
  # Left out, the subnets are cut from vpcCidr: three /20 public ones (load
  # balancers, NAT, bastion) and three /18 private ones (every node).
  # publicSubnets: [10.0.0.0/20, 10.0.16.0/20, 10.0.32.0/20]
  # privateSubnets: [10.0.64.0/18, 10.0.128.0/18, 10.0.192.0/18]
  # Pod and service addresses: must overlap neither the VPC nor each other.
  podCidr: 10.244.0.0/16
  serviceCidr: 10.96.0.0/12

kubernetes:
  # Supported: 1.35 to 1.37.
  version: 1.36.1
  # Extra names for the API server certificate (the load balancer and the
  # DNS name below are always included).
  certSANs: []

# etcd runs on its own machines; 1, 3 or 5 members (3 = one per zone).
etcd:
  count: 3
  instanceType: t3.medium
  volumeSizeGiB: 20

# Control-plane nodes behind the API load balancer; 1 to 9. They keep their
# state in etcd, so any count works; \`kx join --control-plane N\` adds more.
controlPlane:
  count: 3
  instanceType: t3.large
  volumeSizeGiB: 50

# Workers are an auto scaling group across the 3 zones: min <= desired <= max.
workers:
  instanceType: t3.large
  min: 3
  desired: 3
  max: 6
  volumeSizeGiB: 50

images:
  # Build the node and etcd AMIs with Packer (reused while their content is
  # unchanged). With build: false, give both AMI ids:
  build: true
  # node: ami-0123456789abcdef0
  # etcd: ami-0123456789abcdef1

ssh:
  user: ubuntu
  # kx's key; its public half (privateKeyFile + ".pub" unless publicKeyFile is
  # given) is installed on every machine.
  privateKeyFile: ~/.ssh/id_ed25519
  # Every machine is private; the bastion is the one SSH entry point. Only
  # these CIDRs may reach it: put your own public range here.
  bastion:
    enabled: true
    allowedCidrs: [203.0.113.0/24]
    instanceType: t3.micro

dns:
  # A private Route53 zone of this name is created in the VPC; the API server
  # is <apiName>.<zone>, here api.lab.example.com.
  zone: lab.example.com
  apiName: api
  # Also publish the API name in a public hosted zone you own (its id):
  # publicZoneId: Z0123456789ABCDEFGHIJ

# Each add-on: enabled, its version, its options.
addons:
  # The AWS cloud controller: node addresses and zones, load balancers.
  cloudController:
    enabled: true
  # The network: kube-proxy replacement, Hubble. ipam: cluster-pool gives pods
  # addresses from podCidr; eni gives them VPC addresses.
  cilium:
    enabled: true
    ipam: cluster-pool
    hubble: true
  # EBS volumes for PersistentVolumes; gp3 becomes the default StorageClass.
  ebsCsi:
    enabled: true
    storageClass: gp3
  # Service mesh. mode: ambient (no sidecars, recommended) or sidecar. The
  # observability tools need Istio; each follows it unless set.
  istio:
    enabled: true
    mode: ambient
    observability:
      prometheus: true
      grafana: true
      kiali: true
      jaeger: true
  # Logs: Elasticsearch, Kibana and Filebeat, run by the ECK operator.
  efk:
    enabled: true
    elasticsearchNodes: 3
    storageGiB: 100
  # Node and cluster metrics into the same Elasticsearch; needs efk.
  metricbeat:
    enabled: true

# Private container registries, one ECR repository each; nodes may pull.
ecr:
  repositories: [lab/app]

# A managed PostgreSQL database in the private subnets, reachable from nodes.
rds:
  enabled: false
  instanceClass: db.t4g.medium
  allocatedStorageGiB: 20

# Instead of AWS instances, kx can set up existing machines over SSH. Then
# region, zones and dns may be left out; etcd needs an odd number of hosts,
# the control plane at least one, and at most one host is the bastion:
# hosts:
#   - name: node-1
#     address: 192.0.2.11
#     user: ubuntu
#     keyFile: ~/.ssh/id_ed25519
#     roles: [etcd, control-plane]
#   - name: node-2
#     address: 192.0.2.12
#     roles: [worker]
`;
