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
