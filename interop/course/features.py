#!/usr/bin/python3
"""The course's `features` service, reproduced as a test fixture.

Picks a random row of the diabetes data and publishes

    {"id": <float timestamp>, "body": <target>}      to queue y_true
    {"id": <same id>,         "body": [10 features]} to queue features

on the default exchange, declaring each queue plainly (non-durable, no arguments) and publishing
transient messages with no properties, exactly as the course does. Like the course it opens one
connection per pair and keeps going when the broker is unreachable.

Differences from the course, for testability only (environment variables, course-like defaults):
  AMQP_URL  broker URL for pika.URLParameters (default amqp://guest:guest@localhost:5672/%2F)
  DATA_CSV  CSV with header age,sex,bmi,bp,s1..s6,target (default: the project's copy
            data/src/main/resources/io/mlqueue/data/diabetes.csv); the course calls
            sklearn's load_diabetes(), which holds the same 442 rows
  COUNT     number of pairs to send, then exit (default: unlimited)
  INTERVAL  seconds between pairs (default 10, the course's pace)
  SEED      optional seed for the row choice (default: unseeded, as the course)
  CONNECTION  'per-pair' (default, the course's: a new connection for every pair) or 'shared': one
            connection for the whole run, for benchmarks (`mlqueue bench pipeline`), so the Python
            pipeline is measured at its best rather than at the course's connection rate
"""

import csv
import json
import os
import signal
import sys
import time
from datetime import datetime

# SIGTERM is treated like CTRL+C (exit 0), but never in the middle of talking to the broker: while
# a pair is being sent it only sets a flag, checked once the connection is closed again.
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
    import numpy as np
    import pika
except KeyboardInterrupt:
    sys.exit(0)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA_CSV = os.path.normpath(os.path.join(
    HERE, '..', '..', 'data', 'src', 'main', 'resources', 'io', 'mlqueue', 'data', 'diabetes.csv'))
FEATURE_COLUMNS = ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6']
TARGET_COLUMN = 'target'


def load_data(path):
    """X (n x 10) and y (n), in the column order of sklearn's load_diabetes()."""
    with open(path, newline='') as f:
        reader = csv.DictReader(f)
        missing = [c for c in FEATURE_COLUMNS + [TARGET_COLUMN] if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f'{path}: missing columns {missing}')
        rows = list(reader)
    X = np.array([[float(r[c]) for c in FEATURE_COLUMNS] for r in rows])
    y = np.array([float(r[TARGET_COLUMN]) for r in rows])
    return X, y


def env_count(name):
    value = os.environ.get(name, '').strip()
    if not value:
        return None
    n = int(value)
    if n < 0:
        raise ValueError(f'{name} must be >= 0, got {value}')
    return n


def main():
    global _busy
    url = os.environ.get('AMQP_URL', 'amqp://guest:guest@localhost:5672/%2F')
    data_csv = os.environ.get('DATA_CSV', DEFAULT_DATA_CSV)
    try:
        count = env_count('COUNT')
        interval = float(os.environ.get('INTERVAL', '10'))
        if interval < 0:
            raise ValueError(f'INTERVAL must be >= 0, got {interval}')
        seed = os.environ.get('SEED', '').strip()
        if seed:
            np.random.seed(int(seed))
        X, y = load_data(data_csv)
    except (ValueError, OSError) as e:
        print(f'features: bad configuration: {e}', file=sys.stderr, flush=True)
        return 2

    shared = os.environ.get('CONNECTION', 'per-pair').strip() == 'shared'
    parameters = pika.URLParameters(url)
    sent = 0
    last_id = None
    connection = None
    channel = None
    while count is None or sent < count:
        if not shared:
            connection = None
        _busy = True
        try:
            # Course quirk kept: randint's upper bound is exclusive, so the last row is never picked.
            random_row = np.random.randint(0, X.shape[0] - 1)

            # The course's id: a float timestamp. Two pairs sent within the same microsecond (tests
            # send with INTERVAL=0), or a clock stepping back, would get the same id and the metric
            # side would pair the wrong halves; so keep the course's form (a float with microsecond
            # digits) but make consecutive ids strictly increasing by bumping 1 µs when needed.
            message_id = datetime.timestamp(datetime.now())
            if last_id is not None and message_id <= last_id:
                message_id = round(last_id + 1e-6, 6)
            last_id = message_id

            if connection is None or not connection.is_open:
                connection = pika.BlockingConnection(parameters)
                channel = connection.channel()
                channel.queue_declare(queue='y_true')
                channel.queue_declare(queue='features')

            message_y_true = {'id': message_id, 'body': float(y[random_row])}
            message_features = {'id': message_id, 'body': X[random_row].tolist()}
            channel.basic_publish(exchange='', routing_key='y_true', body=json.dumps(message_y_true))
            channel.basic_publish(exchange='', routing_key='features', body=json.dumps(message_features))
            if not shared:
                connection.close()
                connection = None

            sent += 1
            print(f'features: sent pair {sent} id={json.dumps(message_id)} row={random_row} '
                  f'y_true={json.dumps(message_y_true["body"])}', flush=True)
        except KeyboardInterrupt:
            # CTRL+C mid-send: close what we opened, then unwind.
            if connection is not None and connection.is_open:
                try:
                    connection.close()
                except Exception:
                    pass
            raise
        except (pika.exceptions.ProbableAuthenticationError,
                pika.exceptions.ProbableAccessDeniedError) as e:
            # Retrying cannot fix wrong credentials or a missing vhost.
            print(f'features: broker refused us: {e!r}', file=sys.stderr, flush=True)
            return 1
        except pika.exceptions.ChannelClosedByBroker as e:
            # Retrying cannot fix a refused queue_declare either: 406 PRECONDITION_FAILED means the
            # queue exists with other properties (e.g. durable, as the Java services' durable mode
            # declares it), 403 ACCESS_REFUSED missing permissions.
            print(f'features: broker refused us: {e!r}', file=sys.stderr, flush=True)
            if connection is not None and connection.is_open:
                try:
                    connection.close()
                except Exception:
                    pass
            return 1
        except pika.exceptions.AMQPError as e:
            # The course prints "Не удалось подключиться к очереди" and carries on; so do we (the pair
            # is not counted). It retries at once; we wait at least 1 s so INTERVAL=0 does not spin.
            print(f'features: could not connect to the queue: {e!r}', file=sys.stderr, flush=True)
            if connection is not None and connection.is_open:
                try:
                    connection.close()
                except Exception:
                    pass
            _busy = False
            if _stop_requested:
                raise KeyboardInterrupt
            time.sleep(max(interval, 1.0))
            continue
        finally:
            _busy = False
        if _stop_requested:
            raise KeyboardInterrupt
        if count is None or sent < count:
            time.sleep(interval)
    if connection is not None and connection.is_open:
        connection.close()
    print(f'features: done, sent {sent} pairs', flush=True)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print('features: interrupted, exiting', flush=True)
        sys.exit(0)
