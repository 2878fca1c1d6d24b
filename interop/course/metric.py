#!/usr/bin/python3
"""The course's `metric` service, reproduced as a test fixture.

Consumes queues y_true and y_pred (auto_ack=True, both declared plainly: non-durable, no arguments),
pairs the two halves of each id in either arrival order and appends a row

    id,y_true,y_pred,absolute_error

to LOG_DIR/metric_log.csv (header written when the file is new or empty), absolute_error =
|y_true - y_pred|. The id is written as json.loads gave it: str() of a float is its repr, so a float
timestamp keeps the digits it had on the wire; a string id (UUID) is written as is.

Pairing uses one dict per queue, keyed by id. Many course versions keep a single slot per queue
instead, which drops pairs whose messages interleave (y_true of A, y_true of B, y_pred of A, ...);
that is a bug not worth reproducing, since the Java side may deliver in any order. Like the course,
unmatched halves are kept for ever, a message that is not valid JSON of that shape stops the service,
and messages already pushed to us when we stop are lost (auto_ack).

Rows are written with '\\n' line ends and the file is opened, appended to and closed per row, so a
reader sees each row as soon as it is written (course versions that use csv.writer's default write
'\\r\\n').

Environment (for testability only):
  AMQP_URL    broker URL for pika.URLParameters (default amqp://guest:guest@localhost:5672/%2F)
  LOG_DIR     directory of metric_log.csv (default ./logs, as the course; created if missing)
  EXIT_AFTER  exit after writing this many rows (default: run forever)

Prints "metric: waiting for messages ..." once it is consuming, then one line per row written.
"""

import csv
import json
import os
import signal
import sys

# SIGTERM is treated like CTRL+C (exit 0), but never in the middle of handling a message (so never
# half-way through writing a row): inside the callback it only sets a flag, and the callback then
# stops consuming.
_busy = False
_stop_requested = False


def on_sigterm(signum, frame):
    global _stop_requested
    _stop_requested = True
    if not _busy:
        raise KeyboardInterrupt


# Installed before the slow imports, so a SIGTERM during start-up also exits cleanly.
signal.signal(signal.SIGTERM, on_sigterm)
try:
    import pika
except KeyboardInterrupt:
    sys.exit(0)

HEADER = ['id', 'y_true', 'y_pred', 'absolute_error']


def env_count(name):
    value = os.environ.get(name, '').strip()
    if not value:
        return None
    n = int(value)
    if n < 1:
        raise ValueError(f'{name} must be >= 1, got {value}')
    return n


def append_row(log_path, row):
    with open(log_path, 'a', newline='') as f:
        writer = csv.writer(f, lineterminator='\n')
        if f.tell() == 0:
            writer.writerow(HEADER)
        writer.writerow(row)


def main():
    url = os.environ.get('AMQP_URL', 'amqp://guest:guest@localhost:5672/%2F')
    log_dir = os.environ.get('LOG_DIR', './logs')
    try:
        exit_after = env_count('EXIT_AFTER')
        os.makedirs(log_dir, exist_ok=True)
    except (ValueError, OSError) as e:
        print(f'metric: bad configuration: {e}', file=sys.stderr, flush=True)
        return 2
    log_path = os.path.join(log_dir, 'metric_log.csv')

    try:
        connection = pika.BlockingConnection(pika.URLParameters(url))
    except pika.exceptions.AMQPError as e:
        # The course has no retry either (its container restarts until the broker is up).
        print(f'metric: could not connect to the queue: {e!r}', file=sys.stderr, flush=True)
        return 1

    pending = {'y_true': {}, 'y_pred': {}}  # queue -> {id: body}
    written = 0

    def callback(queue, ch, body):
        global _busy
        nonlocal written
        _busy = True
        try:
            message = json.loads(body)
            other = 'y_pred' if queue == 'y_true' else 'y_true'
            message_id = message['id']
            value = message['body']
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f'{queue}: body is not a number: {body!r}')
            value = float(value)
            if message_id in pending[other]:
                other_value = pending[other].pop(message_id)
                y_true, y_pred = (value, other_value) if queue == 'y_true' else (other_value, value)
                absolute_error = abs(y_true - y_pred)
                append_row(log_path, [message_id, y_true, y_pred, absolute_error])
                written += 1
                print(f'metric: row {written} id={json.dumps(message_id)} y_true={y_true!r} '
                      f'y_pred={y_pred!r} absolute_error={absolute_error!r}', flush=True)
            else:
                pending[queue][message_id] = value
        finally:
            _busy = False
        if _stop_requested or (exit_after is not None and written >= exit_after):
            ch.stop_consuming()

    status = 0
    try:
        channel = connection.channel()
        channel.queue_declare(queue='y_true')
        channel.queue_declare(queue='y_pred')
        # The course tells the queues apart by method.routing_key; binding the queue name to each
        # consumer is the same on the default exchange and does not depend on how it was routed.
        channel.basic_consume(queue='y_true', auto_ack=True,
                              on_message_callback=lambda ch, method, props, body: callback('y_true', ch, body))
        channel.basic_consume(queue='y_pred', auto_ack=True,
                              on_message_callback=lambda ch, method, props, body: callback('y_pred', ch, body))
        print('metric: waiting for messages on queues y_true and y_pred, CTRL+C to exit', flush=True)
        channel.start_consuming()
        if _stop_requested:
            print('metric: interrupted, exiting', flush=True)
    except KeyboardInterrupt:
        print('metric: interrupted, exiting', flush=True)
    except pika.exceptions.AMQPError as e:
        # e.g. the connection was lost, or queue_declare was refused with 406 PRECONDITION_FAILED
        # because the queue exists with other properties (durable, as the Java services' durable
        # mode declares it): the course's services stop here too.
        print(f'metric: broker error: {e!r}', file=sys.stderr, flush=True)
        status = 1
    finally:
        if connection.is_open:
            try:
                connection.close()
            except Exception:
                pass
    print(f'metric: wrote {written} rows to {log_path}; unmatched: '
          f'{len(pending["y_true"])} y_true, {len(pending["y_pred"])} y_pred', flush=True)
    return status


if __name__ == '__main__':
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print('metric: interrupted, exiting', flush=True)
        sys.exit(0)
