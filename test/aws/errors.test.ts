import { describe, expect, it } from "vitest";
import { errorCode, isAlreadyExists, isDependencyViolation, isNotFound, isQuotaExceeded, isThrottling, toAwsError } from "../../src/aws/errors.js";
import { AwsError } from "../../src/engine/errors.js";

/** What the SDK throws: an Error whose name is the AWS code. */
function sdkError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return Object.assign(e, { $metadata: { httpStatusCode: 400 } });
}

describe("AWS error mapping", () => {
  it("names the call, the resource and the code; quota errors point at Service Quotas", () => {
    const err = toAwsError(sdkError("AddressLimitExceeded", "The maximum number of addresses has been reached."), "ec2:AllocateAddress", "elastic ip eu-west-1a");
    expect(err).toBeInstanceOf(AwsError);
    expect(err.message).toBe(
      "ec2:AllocateAddress failed — The maximum number of addresses has been reached. (elastic ip eu-west-1a): AddressLimitExceeded",
    );
    expect((err as AwsError).hint).toMatch(/Service Quotas/);
    expect((err as AwsError).source).toBe("user");
    for (const code of ["VpcLimitExceeded", "InstanceLimitExceeded", "NatGatewayLimitExceeded", "LimitExceeded"]) {
      expect(isQuotaExceeded(sdkError(code, "x"))).toBe(true);
    }
  });

  it("treats RequestLimitExceeded as throttling, not a quota", () => {
    const e = sdkError("RequestLimitExceeded", "Request limit exceeded.");
    expect(isThrottling(e)).toBe(true);
    expect(isQuotaExceeded(e)).toBe(false);
  });

  it("classifies not-found, already-exists and dependency errors across services", () => {
    for (const code of ["InvalidVpcID.NotFound", "NoSuchEntity", "ParameterNotFound", "LoadBalancerNotFound", "NoSuchHostedZone", "DBInstanceNotFound", "RepositoryNotFoundException", "InvalidPermission.NotFound"]) {
      expect([code, isNotFound(sdkError(code, "x"))]).toEqual([code, true]);
    }
    for (const code of ["EntityAlreadyExists", "InvalidPermission.Duplicate", "InvalidGroup.Duplicate", "ParameterAlreadyExists", "DuplicateLoadBalancerName", "RouteAlreadyExists"]) {
      expect([code, isAlreadyExists(sdkError(code, "x"))]).toEqual([code, true]);
    }
    for (const code of ["DependencyViolation", "ResourceInUse", "DeleteConflict", "HostedZoneNotEmpty"]) {
      expect([code, isDependencyViolation(sdkError(code, "x"))]).toEqual([code, true]);
    }
    expect(isNotFound(sdkError("DependencyViolation", "x"))).toBe(false);
    expect(errorCode({ __type: "com.amazonaws.ecr#RepositoryNotFoundException" })).toBe("RepositoryNotFoundException");
  });

  it("keeps secrets out of the message", () => {
    const err = toAwsError(sdkError("ValidationException", "bad value password=hunter2hunter2"), "ssm:PutParameter", "/kx/lab/rds/password");
    expect(err.message).not.toContain("hunter2");
  });
});
