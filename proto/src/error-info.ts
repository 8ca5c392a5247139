import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { type ErrorInfo, ErrorInfoSchema } from "../gen/toolbridge/v1/tool_pb.js";
import { codeFromName, codeToName } from "./code-name.js";

/** Fields of an ErrorInfo besides code and message, all optional. */
export interface ErrorInfoFields {
  /** Exception type, e.g. "ValueError". */
  type?: string;
  /** Stack trace of the exception. */
  traceback?: string;
  /** JSON pointer of the offending argument, e.g. "/text". */
  field?: string;
  /** The tool that failed. */
  tool?: string;
}

/**
 * A ConnectError that carries an ErrorInfo detail, so that every client sees
 * the exception type, traceback and offending field, not only the message.
 */
export function toolError(code: Code, message: string, fields: ErrorInfoFields = {}): ConnectError {
  const info = create(ErrorInfoSchema, { code: codeToName(code), message, ...fields });
  return new ConnectError(message, code, undefined, [{ desc: ErrorInfoSchema, value: info }]);
}

/** The ErrorInfo detail of an error, or one made from its code and message. */
export function errorInfoOf(reason: unknown): ErrorInfo {
  const err = ConnectError.from(reason);
  const [info] = err.findDetails(ErrorInfoSchema);
  return info ?? create(ErrorInfoSchema, { code: codeToName(err.code), message: err.rawMessage });
}

/** The ConnectError an ErrorInfo describes, e.g. a batch item's error. */
export function errorFromInfo(info: ErrorInfo): ConnectError {
  const { code, message, ...fields } = info;
  return toolError(codeFromName(code), message, fields);
}
