package io.socketaudit.report;

import java.util.ArrayList;
import java.util.List;

/** Columns aligned for a terminal: numbers to the right, the last column (a name) left and unpadded. */
final class TextTable {

    private final List<String[]> rows = new ArrayList<>();
    private final String indent;

    TextTable(String indent, String... header) {
        this.indent = indent;
        rows.add(header);
    }

    void add(Object... cells) {
        String[] row = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            row[i] = TextReport.terminalSafe(String.valueOf(cells[i]));
        }
        rows.add(row);
    }

    String render() {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns - 1; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            out.append(indent);
            for (int i = 0; i < columns - 1; i++) {
                out.append(" ".repeat(widths[i] - row[i].length())).append(row[i]).append("  ");
            }
            out.append(row[columns - 1]).append('\n');
        }
        return out.toString();
    }
}
