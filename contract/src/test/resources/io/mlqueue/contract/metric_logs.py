#!/usr/bin/python3
"""Writes the metric_log_*.csv fixtures of MetricLogTest with Python's own csv module, as the
course's metric service and other tools write a metric log: the same rows under three quoting
styles. Run from this directory: python3 metric_logs.py

- metric_log_minimal.csv: csv.QUOTE_MINIMAL with '\\n' line ends, exactly as the course's metric
  writes (our MetricLog.format must produce these lines byte for byte);
- metric_log_quote_all.csv: csv.QUOTE_ALL with csv's default '\\r\\n' (every field quoted, numbers too);
- metric_log_nonnumeric.csv: csv.QUOTE_NONNUMERIC with '\\r\\n' (the header and the ids quoted).

Numbers stay within [1e-3, 1e7), where Python's repr and Java's Double.toString agree digit for digit
(both give the shortest string that reads back to the same double).
"""
import csv

HEADER = ['id', 'y_true', 'y_pred', 'absolute_error']
IDS = [
    'id-1',
    '1700000000.123456',                     # a float timestamp, as str() writes it
    '550e8400-e29b-41d4-a716-446655440000',  # a UUID
    'a,b',                                   # a comma: quoted
    'say "hi"',                              # quotes: quoted, doubled
    '#7',                                    # not a comment: unquoted
    ' padded ',                              # spaces are data: unquoted
    'tab\there',                             # unquoted
    'ünïcödé',
]
Y_TRUE = [151.0, 75.0, 141.0, 206.0, 135.0, 97.0, 138.0, 63.0, 110.0]
Y_PRED = [206.11667, 68.07234873100643, 176.88, 0.1234, 135.5, 97.0, 1234567.8, 63.25, 109.999]


def write(path, quoting, lineterminator):
    with open(path, 'w', newline='', encoding='utf-8') as f:
        writer = csv.writer(f, quoting=quoting, lineterminator=lineterminator)
        writer.writerow(HEADER)
        for i, y_true, y_pred in zip(IDS, Y_TRUE, Y_PRED):
            writer.writerow([i, y_true, y_pred, abs(y_true - y_pred)])


write('metric_log_minimal.csv', csv.QUOTE_MINIMAL, '\n')
write('metric_log_quote_all.csv', csv.QUOTE_ALL, '\r\n')
write('metric_log_nonnumeric.csv', csv.QUOTE_NONNUMERIC, '\r\n')
