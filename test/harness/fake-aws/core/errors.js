// @ts-check
/**
 * An error the fake returns in the wire shape of the service being called. `status`
 * defaults to 400 as most AWS client errors are; `sender` false marks a server fault.
 */
export class AwsError extends Error {
  /**
   * @param {string} code AWS error code, exactly as AWS spells it
   * @param {string} message
   * @param {{ status?: number, sender?: boolean }} [opts]
   */
  constructor(code, message, opts = {}) {
    super(message);
    this.code = code;
    this.status = opts.status ?? 400;
    this.sender = opts.sender ?? this.status < 500;
  }
}

/** @param {string} code @param {string} message */
export const notFound = (code, message) => new AwsError(code, message, { status: 400 });

/** @param {string} message */
export const invalidParameter = (message) => new AwsError("InvalidParameterValue", message);

/** @param {string} name */
export const missingParameter = (name) =>
  new AwsError("MissingParameter", `The request must contain the parameter ${name}`);
