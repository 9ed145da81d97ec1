/**
 * The audit log's vocabulary: event kinds, field names and the values of the classified fields, in one place
 * that the agent's writer and the report both use, so that what one writes the other reads by the same names.
 * docs/log-format.md documents each of them.
 */
package io.socketaudit.logformat;
