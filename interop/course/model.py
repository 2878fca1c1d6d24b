#!/usr/bin/python3
"""The course's `model` service, reproduced as a test fixture.

Consumes queue features with auto_ack=True, predicts with a scikit-learn LinearRegression and
publishes {"id": <the same id>, "body": <prediction>} to queue y_pred on the default exchange.
Both queues are declared plainly (non-durable, no arguments); messages go out transient with no
properties, as in the course. The id is echoed through json.loads/json.dumps unchanged: a float's
repr is the shortest string that round-trips, so a float timestamp comes back with the same digits
(a string id, e.g. a UUID from the Java services, comes back as the same string).

The course unpickles `myfile.pkl`, a LinearRegression() fitted on all 442 rows of the diabetes data.
Fitting the same model on the same rows here at start gives the same coefficients (intercept
152.1335...) and predictions, and keeps a binary pickle out of the repository.

Like the course, a message that is not valid JSON of that shape stops the service (the course's
container then restarts); and messages the broker already pushed to us when we stop are lost
(auto_ack).

Environment (for testability only):
  AMQP_URL    broker URL for pika.URLParameters (default amqp://guest:guest@localhost:5672/%2F)
  DATA_CSV    CSV with header age,sex,bmi,bp,s1..s6,target to fit on (default: the project's copy
              data/src/main/resources/io/mlqueue/data/diabetes.csv)
  EXIT_AFTER  exit after publishing this many predictions (default: run forever)

Prints "model: waiting for messages ..." once it is consuming, then one line per prediction.
"""

import csv
import json
import os
import signal
import sys

# SIGTERM is treated like CTRL+C (exit 0), but never in the middle of handling a message: inside
# the callback it only sets a flag, and the callback then stops consuming.
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
    from sklearn.linear_model import LinearRegression
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
    if n < 1:
        raise ValueError(f'{name} must be >= 1, got {value}')
    return n


def main():
    url = os.environ.get('AMQP_URL', 'amqp://guest:guest@localhost:5672/%2F')
    data_csv = os.environ.get('DATA_CSV', DEFAULT_DATA_CSV)
    try:
        exit_after = env_count('EXIT_AFTER')
        X, y = load_data(data_csv)
    except (ValueError, OSError) as e:
        print(f'model: bad configuration: {e}', file=sys.stderr, flush=True)
        return 2

    regressor = LinearRegression()
    regressor.fit(X, y)

    try:
        connection = pika.BlockingConnection(pika.URLParameters(url))
    except pika.exceptions.AMQPError as e:
        # The course has no retry either (its container restarts until the broker is up).
        print(f'model: could not connect to the queue: {e!r}', file=sys.stderr, flush=True)
        return 1

    published = 0

    def callback(ch, method, properties, body):
        global _busy
        nonlocal published
        _busy = True
        try:
            message = json.loads(body)
            features = message['body']
            pred = regressor.predict(np.array(features).reshape(1, -1))
            message_y_pred = {'id': message['id'], 'body': pred[0]}
            ch.basic_publish(exchange='', routing_key='y_pred', body=json.dumps(message_y_pred))
            published += 1
            print(f'model: id={json.dumps(message["id"])} y_pred={json.dumps(pred[0])}', flush=True)
        finally:
            _busy = False
        if _stop_requested or (exit_after is not None and published >= exit_after):
            ch.stop_consuming()

    status = 0
    try:
        channel = connection.channel()
        channel.queue_declare(queue='features')
        channel.queue_declare(queue='y_pred')
        channel.basic_consume(queue='features', on_message_callback=callback, auto_ack=True)
        print('model: waiting for messages on queue features, CTRL+C to exit', flush=True)
        channel.start_consuming()
        if _stop_requested:
            print('model: interrupted, exiting', flush=True)
    except KeyboardInterrupt:
        print('model: interrupted, exiting', flush=True)
    except pika.exceptions.AMQPError as e:
        # e.g. the connection was lost, or queue_declare was refused with 406 PRECONDITION_FAILED
        # because the queue exists with other properties (durable, as the Java services' durable
        # mode declares it): the course's services stop here too.
        print(f'model: broker error: {e!r}', file=sys.stderr, flush=True)
        status = 1
    finally:
        if connection.is_open:
            try:
                connection.close()
            except Exception:
                pass
    print(f'model: published {published} predictions', flush=True)
    return status


if __name__ == '__main__':
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        # SIGTERM/CTRL+C before consuming started (e.g. while fitting).
        print('model: interrupted, exiting', flush=True)
        sys.exit(0)
