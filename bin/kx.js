#!/usr/bin/env node
// Tiny launcher: nothing heavy is imported before a command needs it.
// The AWS SDK warns on every run under Node 20 that its 2027 releases will need Node 22;
// kx pins an SDK that supports Node 20, so the warning is noise to a user.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { main } = await import("../dist/cli.js");
process.exitCode = await main(process.argv);
