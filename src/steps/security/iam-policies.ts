/**
 * The IAM policies of the cluster's instance roles, as typed documents. Each role may
 * read only its own SSM paths under /kx/<cluster>/ (etcd: pki/etcd/*; control plane:
 * pki/* and join/*, and write join/token; workers: join/* only) and decrypt only those
 * parameters: the SSM default key (alias/aws/ssm) is used through SSM alone
 * (kms:ViaService) and for these parameter ARNs alone (SSM's encryption context).
 */
import type { IamRoleName } from "./ids.js";

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export interface TrustPolicyDocument {
  Version: "2012-10-17";
  Statement: { Effect: "Allow"; Principal: { Service: string }; Action: string }[];
}

export interface PolicyScope {
  cluster: string;
  region: string;
  account: string;
  /** "aws", "aws-cn", "aws-us-gov". */
  partition: string;
  /** Cilium in ENI IPAM mode: its operator manages the nodes' network interfaces. */
  ciliumEni?: boolean;
}

/** EC2 may assume the role (instance profiles). */
export function ec2TrustPolicy(partition: string): TrustPolicyDocument {
  const service = partition === "aws-cn" ? "ec2.amazonaws.com.cn" : "ec2.amazonaws.com";
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] };
}

/** The SSM paths (relative to /kx/<cluster>/) each role may read. */
export const READABLE_PATHS: Record<IamRoleName, string[]> = {
  etcd: ["pki/etcd"],
  "control-plane": ["pki", "join"],
  worker: ["join"],
};

/** Parameters the control plane writes: the join token it renews for autoscaled workers. */
const CONTROL_PLANE_WRITES = ["join/token"];

export function parameterArn(scope: PolicyScope, name: string): string {
  return `arn:${scope.partition}:ssm:${scope.region}:${scope.account}:parameter/kx/${scope.cluster}/${name}`;
}

/** Managed policies attached besides the inline one. */
export function managedPolicyArns(role: IamRoleName, partition: string, ebsCsi: boolean): string[] {
  return ebsCsi && role !== "etcd" ? [`arn:${partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy`] : [];
}

export function rolePolicy(role: IamRoleName, scope: PolicyScope): PolicyDocument {
  const paths = READABLE_PATHS[role];
  // GetParametersByPath is authorised on the path itself, GetParameter(s) on each parameter below it.
  const readable = paths.flatMap((p) => [parameterArn(scope, p), parameterArn(scope, `${p}/*`)]);
  const statements: PolicyStatement[] = [
    {
      Sid: "ReadOwnParameters",
      Effect: "Allow",
      Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
      Resource: readable,
    },
    {
      Sid: "DecryptOwnParameters",
      Effect: "Allow",
      Action: role === "control-plane" ? ["kms:Decrypt", "kms:Encrypt"] : ["kms:Decrypt"],
      Resource: "*",
      Condition: {
        StringEquals: { "kms:ViaService": `ssm.${scope.region}.amazonaws.com` },
        StringLike: {
          "kms:EncryptionContext:PARAMETER_ARN": paths.map((p) => parameterArn(scope, `${p}/*`)),
        },
      },
    },
  ];
  if (role === "control-plane") {
    statements.push(
      {
        Sid: "RenewJoinToken",
        Effect: "Allow",
        Action: ["ssm:PutParameter"],
        Resource: CONTROL_PLANE_WRITES.map((p) => parameterArn(scope, p)),
      },
      // What the AWS cloud controller manager needs (cloud-provider-aws).
      {
        Sid: "CloudController",
        Effect: "Allow",
        Action: [
          "autoscaling:Describe*",
          "ec2:Describe*",
          "ec2:CreateSecurityGroup",
          "ec2:DeleteSecurityGroup",
          "ec2:AuthorizeSecurityGroupIngress",
          "ec2:RevokeSecurityGroupIngress",
          "ec2:CreateTags",
          "ec2:CreateRoute",
          "ec2:DeleteRoute",
          "ec2:ModifyInstanceAttribute",
          "elasticloadbalancing:*",
          "iam:CreateServiceLinkedRole",
          "kms:DescribeKey",
        ],
        Resource: "*",
      },
    );
  }
  if (role === "control-plane" && scope.ciliumEni) {
    // Cilium's operator hands pods VPC addresses in ENI mode; the add-on runs it on the
    // control plane, so the workers' role never gets to create or attach interfaces.
    statements.push({
      Sid: "CiliumEniIpam",
      Effect: "Allow",
      Action: [
        "ec2:CreateNetworkInterface",
        "ec2:AttachNetworkInterface",
        "ec2:DetachNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:ModifyNetworkInterfaceAttribute",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ],
      Resource: "*",
    });
  }
  if (role === "control-plane" || role === "worker") {
    // What every Kubernetes node needs: its own description (node name, zone) and images from ECR.
    statements.push({
      Sid: "Node",
      Effect: "Allow",
      Action: [
        "ec2:DescribeInstances",
        "ec2:DescribeRegions",
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage",
        "ecr:DescribeRepositories",
        "ecr:ListImages",
      ],
      Resource: "*",
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}
