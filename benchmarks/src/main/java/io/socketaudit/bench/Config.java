package io.socketaudit.bench;

import java.util.List;

/** One configuration of a measured JVM: a short name for logs and keys, the label the tables show, its JVM options. */
record Config(String name, String label, List<String> jvmArgs) {
}
