/** An Io whose stdout and stderr are collected as text (no TTY: plain mode). */
import { PassThrough } from "node:stream";
import { Io } from "../../src/ui/io.js";

export function captureIo(output: "text" | "json" = "text") {
  const collect = () => {
    const stream = new PassThrough();
    let text = "";
    stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
    return { stream, text: () => text };
  };
  const out = collect();
  const err = collect();
  const io = new Io({ output, stdout: out.stream, stderr: err.stream, env: {} });
  return { io, stdout: out.text, stderr: err.text };
}
