/**
 * The failure converter of every worker, workflow bundle and client: a failure's message and
 * stack trace travel as an encoded attribute (a payload), so the payload codec encrypts them like
 * any other payload. Failure messages are written without student data anyway (Update rejections
 * name fields, activities pass on only the database's error code); this keeps it so when a
 * message slips through. Loaded by path (`failureConverterPath`) with Node's own require and
 * bundled into the workflow sandbox, hence plain CommonJS importing only @temporalio/common.
 */
'use strict';
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
