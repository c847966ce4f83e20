// @ts-check
import { service as ec2 } from "./ec2/index.js";

/** Every service the fake speaks. @type {import("../core/server.js").ServiceModule[]} */
export const services = [ec2];
