// @ts-check
import { AwsError } from "../core/errors.js";
import { bool, list } from "../core/form.js";
import { hex } from "../core/ids.js";
import { markerPage, requiredParam } from "../core/query.js";
import { xlist } from "../core/xml.js";
import { createEni } from "./ec2/eni.js";

/**
 * RDS: DB subnet groups and DB instances (creating → available after a delay, with an
 * endpoint only once available; deleting → gone). An instance holds an interface in its
 * subnet group, so the subnets and security groups stay in use until it is gone.
 */

/** @typedef {import("../core/world.js").World} World */

const IDENT = /^[a-zA-Z](?:-?[a-zA-Z0-9]){0,62}$/;
const PORTS = /** @type {Record<string, number>} */ ({ postgres: 5432, mysql: 3306, mariadb: 3306 });

/** RDS query lists name their members: `SubnetIds.SubnetIdentifier.N`. @param {any} x @param {string} item */
const named = (x, item) => (x && typeof x === "object" ? list(x[item] ?? x.member) : []);

/** @param {any} x */
const rdsTags = (x) => named(x, "Tag").map((t) => ({ Key: String(t.Key), Value: String(t.Value ?? "") }));

/** @param {World} world @param {string} name */
function getSubnetGroup(world, name) {
  const g = world.store.get("dbSubnetGroup", name);
  if (!g) throw new AwsError("DBSubnetGroupNotFoundFault", `DBSubnetGroup ${name} not found.`, { status: 404 });
  return g;
}

/** @param {World} world @param {string} id */
function getInstance(world, id) {
  const i = world.store.get("dbInstance", id);
  if (!i) throw new AwsError("DBInstanceNotFound", `DBInstance ${id} not found.`, { status: 404 });
  return i;
}

/** @param {World} world @param {any} g */
function renderSubnetGroup(world, g) {
  return {
    DBSubnetGroupName: g.name,
    DBSubnetGroupDescription: g.description,
    VpcId: g.vpcId,
    SubnetGroupStatus: "Complete",
    Subnets: xlist(
      "Subnet",
      g.subnetIds.map((/** @type {string} */ id) => ({
        SubnetIdentifier: id,
        SubnetAvailabilityZone: { Name: world.store.get("subnet", id)?.availabilityZone },
        SubnetStatus: "Active",
      })),
    ),
    DBSubnetGroupArn: g.id,
    SupportedNetworkTypes: ["IPV4"],
  };
}

/** @param {World} world @param {any} i */
function renderInstance(world, i) {
  const group = world.store.get("dbSubnetGroup", i.subnetGroup);
  return {
    DBInstanceIdentifier: i.name,
    DBInstanceClass: i.instanceClass,
    Engine: i.engine,
    DBInstanceStatus: i.status,
    MasterUsername: i.masterUsername,
    DBName: i.dbName,
    Endpoint: i.status === "available" || i.status === "deleting" ? { Address: i.address, Port: i.port, HostedZoneId: "Z29XKXDKYMONMX" } : undefined,
    AllocatedStorage: i.allocatedStorage,
    InstanceCreateTime: i.status === "creating" ? undefined : i.createTime,
    BackupRetentionPeriod: i.backupRetention,
    VpcSecurityGroups: xlist("VpcSecurityGroupMembership", i.securityGroups.map((/** @type {string} */ g) => ({ VpcSecurityGroupId: g, Status: "active" }))),
    AvailabilityZone: i.availabilityZone,
    DBSubnetGroup: group ? renderSubnetGroup(world, group) : undefined,
    MultiAZ: i.multiAZ,
    EngineVersion: i.engineVersion,
    AutoMinorVersionUpgrade: true,
    PubliclyAccessible: i.publiclyAccessible,
    StorageType: i.storageType,
    DbInstancePort: 0,
    StorageEncrypted: i.storageEncrypted,
    KmsKeyId: i.kmsKeyId,
    DbiResourceId: i.resourceId,
    DBInstanceArn: i.id,
    DeletionProtection: i.deletionProtection,
    TagList: xlist("Tag", world.store.tagList(i.id)),
  };
}

/** @param {World} world @param {string} arn */
function taggedResource(world, arn) {
  const m = /^arn:aws:rds:[^:]+:\d+:(db|subgrp):(.+)$/.exec(arn);
  if (!m) throw new AwsError("InvalidParameterValue", `Invalid resource name: ${arn}`);
  if (m[1] === "db") return getInstance(world, m[2]);
  return getSubnetGroup(world, m[2]);
}

/** @type {import("../core/server.js").ServiceModule} */
export const service = {
  name: "rds",
  signingName: "rds",
  protocol: "query",
  xmlns: "http://rds.amazonaws.com/doc/2014-10-31/",
  actions: {
    CreateDBSubnetGroup(p, { world }) {
      const name = requiredParam(p.DBSubnetGroupName, "DBSubnetGroupName").toLowerCase();
      const description = requiredParam(p.DBSubnetGroupDescription, "DBSubnetGroupDescription");
      if (world.store.get("dbSubnetGroup", name)) throw new AwsError("DBSubnetGroupAlreadyExists", `The DB subnet group '${name}' already exists.`);
      const ids = named(p.SubnetIds, "SubnetIdentifier").map(String);
      const subnets = ids.map((id) => {
        const s = world.store.get("subnet", id);
        if (!s) throw new AwsError("InvalidSubnet", `The subnet ID '${id}' is not valid`);
        return s;
      });
      if (new Set(subnets.map((s) => s.vpcId)).size > 1) throw new AwsError("InvalidSubnet", "Subnets must all be in the same VPC");
      if (new Set(subnets.map((s) => s.availabilityZone)).size < 2) {
        throw new AwsError("DBSubnetGroupDoesNotCoverEnoughAZs", "The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. Current AZ coverage: " + [...new Set(subnets.map((s) => s.availabilityZone))].join(", ") + ". Add subnets to cover at least 2 AZs.");
      }
      const arn = world.arn("rds", `subgrp:${name}`);
      const g = world.store.put("dbSubnetGroup", name, { id: arn, name, description, vpcId: subnets[0].vpcId, subnetIds: ids });
      world.store.addTags(arn, rdsTags(p.Tags));
      return { DBSubnetGroup: renderSubnetGroup(world, g) };
    },

    DescribeDBSubnetGroups(p, { world }) {
      let groups = world.store.list("dbSubnetGroup");
      if (p.DBSubnetGroupName) groups = [getSubnetGroup(world, String(p.DBSubnetGroupName).toLowerCase())];
      const { page, next } = markerPage(groups, p, { max: "MaxRecords", limits: [20, 100], defaultMax: 100 });
      return { DBSubnetGroups: xlist("DBSubnetGroup", page.map((g) => renderSubnetGroup(world, g))), Marker: next };
    },

    ModifyDBSubnetGroup(p, { world }) {
      const g = getSubnetGroup(world, requiredParam(p.DBSubnetGroupName, "DBSubnetGroupName").toLowerCase());
      const ids = named(p.SubnetIds, "SubnetIdentifier").map(String);
      const subnets = ids.map((id) => {
        const s = world.store.get("subnet", id);
        if (!s) throw new AwsError("InvalidSubnet", `The subnet ID '${id}' is not valid`);
        return s;
      });
      if (subnets.some((s) => s.vpcId !== g.vpcId)) throw new AwsError("InvalidSubnet", "Subnets must all be in the subnet group's VPC");
      if (new Set(subnets.map((s) => s.availabilityZone)).size < 2) throw new AwsError("DBSubnetGroupDoesNotCoverEnoughAZs", "The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. Add subnets to cover at least 2 AZs.");
      g.subnetIds = ids;
      if (p.DBSubnetGroupDescription !== undefined) g.description = String(p.DBSubnetGroupDescription);
      return { DBSubnetGroup: renderSubnetGroup(world, g) };
    },

    DeleteDBSubnetGroup(p, { world }) {
      const g = getSubnetGroup(world, requiredParam(p.DBSubnetGroupName, "DBSubnetGroupName").toLowerCase());
      if (world.store.list("dbInstance").some((i) => i.subnetGroup === g.name)) {
        throw new AwsError("InvalidDBSubnetGroupStateFault", `Cannot delete the subnet group '${g.name}' because at least one database instance: ${world.store.list("dbInstance").find((i) => i.subnetGroup === g.name).name} is still using it.`);
      }
      world.store.remove("dbSubnetGroup", g.name);
      return undefined;
    },

    CreateDBInstance(p, { world }) {
      const name = requiredParam(p.DBInstanceIdentifier, "DBInstanceIdentifier").toLowerCase();
      if (!IDENT.test(name)) throw new AwsError("InvalidParameterValue", `The parameter DBInstanceIdentifier is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.`);
      if (world.store.get("dbInstance", name)) throw new AwsError("DBInstanceAlreadyExists", "DB instance already exists");
      const engine = requiredParam(p.Engine, "Engine");
      if (!PORTS[engine]) throw new AwsError("InvalidParameterValue", `Invalid DB engine: ${engine}`);
      const instanceClass = requiredParam(p.DBInstanceClass, "DBInstanceClass");
      if (!/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(instanceClass)) throw new AwsError("InvalidParameterValue", `Invalid DB Instance class: ${instanceClass}`);
      if (!p.MasterUsername) throw new AwsError("InvalidParameterValue", "The parameter MasterUsername must be provided and must not be blank.");
      if (!p.MasterUserPassword && !bool(p.ManageMasterUserPassword)) throw new AwsError("InvalidParameterValue", "The parameter MasterUserPassword must be provided and must not be blank.");
      if (p.MasterUserPassword && String(p.MasterUserPassword).length < 8) throw new AwsError("InvalidParameterValue", "The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.");
      const groupName = requiredParam(p.DBSubnetGroupName, "DBSubnetGroupName").toLowerCase();
      const group = getSubnetGroup(world, groupName);
      const securityGroups = named(p.VpcSecurityGroupIds, "VpcSecurityGroupId").map(String);
      for (const g of securityGroups) {
        const sg = world.store.get("sg", g);
        if (!sg || sg.vpcId !== group.vpcId) throw new AwsError("InvalidParameterValue", `Invalid security group , groupId= ${g}, groupName=.`);
      }
      const subnet = world.store.get("subnet", group.subnetIds[0]);
      const eni = createEni(world, { subnet, description: "RDSNetworkInterface", interfaceType: "interface", requesterManaged: true, groups: securityGroups });
      const arn = world.arn("rds", `db:${name}`);
      const inst = world.store.put("dbInstance", name, {
        id: arn,
        name,
        engine,
        engineVersion: String(p.EngineVersion ?? (engine === "postgres" ? "16.4" : "8.0.39")),
        instanceClass,
        status: "creating",
        masterUsername: String(p.MasterUsername),
        dbName: p.DBName === undefined ? undefined : String(p.DBName),
        allocatedStorage: Number(p.AllocatedStorage ?? 20),
        storageType: String(p.StorageType ?? "gp3"),
        storageEncrypted: bool(p.StorageEncrypted) ?? false,
        kmsKeyId: bool(p.StorageEncrypted) ? String(p.KmsKeyId ?? world.arn("kms", "key/aws-rds-default")) : undefined,
        multiAZ: bool(p.MultiAZ) ?? false,
        publiclyAccessible: bool(p.PubliclyAccessible) ?? false,
        deletionProtection: bool(p.DeletionProtection) ?? false,
        backupRetention: Number(p.BackupRetentionPeriod ?? 1),
        port: Number(p.Port ?? PORTS[engine]),
        address: `${name}.c${hex(6)}.${world.region}.rds.amazonaws.com`,
        subnetGroup: group.name,
        securityGroups,
        availabilityZone: subnet.availabilityZone,
        resourceId: `db-${hex(13).toUpperCase()}`,
        createTime: new Date(),
        eniId: eni.id,
      });
      world.store.addTags(arn, rdsTags(p.Tags));
      world.after("rdsAvailable", () => {
        if (inst.status === "creating") inst.status = "available";
      });
      return { DBInstance: renderInstance(world, inst) };
    },

    DescribeDBInstances(p, { world }) {
      let items = world.store.list("dbInstance");
      if (p.DBInstanceIdentifier) items = [getInstance(world, String(p.DBInstanceIdentifier).toLowerCase())];
      const { page, next } = markerPage(items, p, { max: "MaxRecords", limits: [20, 100], defaultMax: 100 });
      return { DBInstances: xlist("DBInstance", page.map((i) => renderInstance(world, i))), Marker: next };
    },

    ModifyDBInstance(p, { world }) {
      const inst = getInstance(world, requiredParam(p.DBInstanceIdentifier, "DBInstanceIdentifier").toLowerCase());
      if (inst.status !== "available") throw new AwsError("InvalidDBInstanceState", `Database instance is not in available state.`);
      if (p.MasterUserPassword !== undefined && String(p.MasterUserPassword).length < 8) throw new AwsError("InvalidParameterValue", "The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.");
      if (p.DeletionProtection !== undefined) inst.deletionProtection = bool(p.DeletionProtection);
      const resizing = p.DBInstanceClass !== undefined || p.AllocatedStorage !== undefined || p.EngineVersion !== undefined;
      if (p.DBInstanceClass !== undefined) inst.instanceClass = String(p.DBInstanceClass);
      if (p.AllocatedStorage !== undefined) inst.allocatedStorage = Number(p.AllocatedStorage);
      if (p.EngineVersion !== undefined) inst.engineVersion = String(p.EngineVersion);
      if (p.BackupRetentionPeriod !== undefined) inst.backupRetention = Number(p.BackupRetentionPeriod);
      if (p.MasterUserPassword !== undefined || resizing) {
        inst.status = p.MasterUserPassword !== undefined && !resizing ? "resetting-master-credentials" : "modifying";
        world.after("rdsModify", () => {
          if (inst.status !== "deleting") inst.status = "available";
        });
      }
      return { DBInstance: renderInstance(world, inst) };
    },

    DeleteDBInstance(p, { world }) {
      const inst = getInstance(world, requiredParam(p.DBInstanceIdentifier, "DBInstanceIdentifier").toLowerCase());
      if (inst.status === "deleting") throw new AwsError("InvalidDBInstanceState", `Instance ${inst.name} is already being deleted.`);
      if (inst.deletionProtection) throw new AwsError("InvalidParameterCombination", "Cannot delete protected DB Instance, please disable deletion protection and try again.");
      if (!bool(p.SkipFinalSnapshot) && !p.FinalDBSnapshotIdentifier) {
        throw new AwsError("InvalidParameterCombination", "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.");
      }
      inst.status = "deleting";
      world.after("rdsDeleted", () => {
        world.store.remove("eni", inst.eniId);
        world.store.remove("dbInstance", inst.name);
      });
      return { DBInstance: renderInstance(world, inst) };
    },

    AddTagsToResource(p, { world }) {
      const r = taggedResource(world, requiredParam(p.ResourceName, "ResourceName"));
      world.store.addTags(r.id, rdsTags(p.Tags));
      return undefined;
    },

    RemoveTagsFromResource(p, { world }) {
      const r = taggedResource(world, requiredParam(p.ResourceName, "ResourceName"));
      for (const k of list(p.TagKeys?.member)) world.store.tags(r.id).delete(String(k));
      return undefined;
    },

    ListTagsForResource(p, { world }) {
      const r = taggedResource(world, requiredParam(p.ResourceName, "ResourceName"));
      return { TagList: xlist("Tag", world.store.tagList(r.id)) };
    },
  },
};
