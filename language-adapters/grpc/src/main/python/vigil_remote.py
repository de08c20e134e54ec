"""Vigil operators in Python, served over the RemoteOperator gRPC contract of remote.proto.

A function is a class: Vigil constructs it with the operator's options, then calls
process(event, state, emit) for every event in order. `event` is a dict of the input schema's
fields; `state` is a dict kept for the event's key (the spec's key field), which Vigil snapshots at
every checkpoint and restores after a failure or on an update; `emit(*values)` adds a result with
the output schema's fields in order. A function that declares reacts_to_time = True also gets
on_time(time, states, emit) when the watermark moves, with a mapping of every key's state.

A checkpoint writes only the keys whose state changed since the one before: the keys of the events
processed, and the keys whose state on_time read or wrote through its mapping.

    class Large(vigil_remote.Function):
        input_fields = ('cardId', 'amount')
        output_fields = ('cardId', 'amount')

        def __init__(self, options):
            self.limit = float(options.get('limit', '1000'))

        def process(self, event, state, emit):
            if event['amount'] > self.limit:
                emit(event['cardId'], event['amount'])

    vigil_remote.serve({'large': Large})

The stubs come from the project's .proto files, generated with protoc and the gRPC Python plugin.
"""

import argparse
import pickle
from collections.abc import MutableMapping
import signal
import sys
from concurrent import futures

import grpc

from vigil.v1 import control_pb2, dataplane_pb2, remote_pb2, remote_pb2_grpc, schema_pb2

_VALUE_LIST = {
    schema_pb2.BOOLEAN: 'bools',
    schema_pb2.INT: 'ints',
    schema_pb2.LONG: 'longs',
    schema_pb2.TIMESTAMP: 'longs',
    schema_pb2.DOUBLE: 'doubles',
    schema_pb2.STRING: 'strings',
}
_DEFAULT = {'bools': False, 'ints': 0, 'longs': 0, 'doubles': 0.0, 'strings': ''}

# Vigil's key groups (vigil.api.keys.KeyGroups): a key's Java hash code, mixed, modulo 128.
KEY_GROUPS = 128


def _murmur_mix(code):
    """MurmurHash3's mix of one 32-bit block and its finaliser, as KeyGroups has it; non-negative."""
    def rotl(value, bits):
        return ((value << bits) | (value >> (32 - bits))) & 0xFFFFFFFF
    code = (code * 0xcc9e2d51) & 0xFFFFFFFF
    code = rotl(code, 15)
    code = (code * 0x1b873593) & 0xFFFFFFFF
    code = rotl(code, 13)
    code = (code * 5 + 0xe6546b64) & 0xFFFFFFFF
    code ^= 4
    code ^= code >> 16
    code = (code * 0x85ebca6b) & 0xFFFFFFFF
    code ^= code >> 13
    code = (code * 0xc2b2ae35) & 0xFFFFFFFF
    code ^= code >> 16
    return code & 0x7FFFFFFF


class Function:
    """One event at a time, with a dict of state per key that Vigil keeps durable."""

    # Input fields the function reads, and the output fields emit() takes in order; checked
    # against the operator's schemas when it is deployed.
    input_fields = ()
    output_fields = ()
    # True when on_time() emits results as the watermark moves.
    reacts_to_time = False

    def __init__(self, options):
        self.options = options

    def process(self, event, state, emit):
        raise NotImplementedError

    def on_time(self, time, states, emit):
        pass


class _Problem(Exception):
    pass


def _problems(functions, spec):
    """What keeps this process from running spec: a list of messages, empty when nothing does."""
    if spec.function not in functions:
        return [f"this process runs no function '{spec.function}'; it runs {', '.join(sorted(functions))}"]
    function = functions[spec.function]
    inputs = [field.name for field in spec.input_schema.fields]
    outputs = [field.name for field in spec.output_schema.fields]
    problems = [f"input schema '{spec.input_schema.name}' has no field '{name}', which function '{spec.function}' reads"
                for name in function.input_fields if name not in inputs]
    if spec.key_field not in inputs:
        problems.append(f"input schema '{spec.input_schema.name}' has no key field '{spec.key_field}'")
    if function.output_fields and tuple(outputs) != tuple(function.output_fields):
        problems.append(f"function '{spec.function}' emits ({', '.join(function.output_fields)}) but the output schema "
                        f"'{spec.output_schema.name}' is ({', '.join(outputs)})")
    try:
        function(dict(spec.options))
    except Exception as e:  # the options are the function's to judge
        problems.append(f"function '{spec.function}' refused its options: {e}")
    return problems


class _Touched(MutableMapping):
    """Every key's state as on_time sees it: a key whose state it reads or writes counts as changed
    (a dict can change in place once read)."""

    def __init__(self, states, changed):
        self._states = states
        self._changed = changed

    def __getitem__(self, key):
        state = self._states[key]
        self._changed.add(key)
        return state

    def __setitem__(self, key, state):
        self._states[key] = state
        self._changed.add(key)

    def __delitem__(self, key):
        del self._states[key]
        self._changed.add(key)

    def __iter__(self):
        return iter(list(self._states))

    def __len__(self):
        return len(self._states)

    def __contains__(self, key):
        return key in self._states


class _Shard:
    """One session: a function instance and the state of the keys routed to its shard."""

    def __init__(self, functions, opening):
        spec = opening.function
        self.name = f"function '{spec.function}' of operator '{spec.operator}' shard {opening.shard}"
        self.function = functions[spec.function](dict(spec.options))
        self.input_names = [field.name for field in spec.input_schema.fields]
        self.input_lists = [_VALUE_LIST[field.type] for field in spec.input_schema.fields]
        self.output_lists = [_VALUE_LIST[field.type] for field in spec.output_schema.fields]
        self.key_index = self.input_names.index(spec.key_field)
        self.key_kind = schema_pb2.FieldType.Name(spec.input_schema.fields[self.key_index].type)
        self.states = {}
        # Keys whose state may differ from the last snapshot or restore.
        self.changed = set()
        self.clock = None

    def process(self, batch):
        rows = batch.row_count
        columns = [self._values(column, kind, rows) for column, kind in zip(batch.columns, self.input_lists)]
        timestamps = batch.timestamps
        sequences = batch.sequences
        out_timestamps, out_sequences = [], []
        out_columns = [[] for _ in self.output_lists]
        width = len(out_columns)
        cause = [0, 0]

        def emit(*values):
            if len(values) != width:
                raise ValueError(f"emit() got {len(values)} values; the output schema has {width} fields")
            out_timestamps.append(cause[0])
            out_sequences.append(cause[1])
            for column, value in zip(out_columns, values):
                column.append(value)

        names = self.input_names
        key_index = self.key_index
        states = self.states
        changed = self.changed
        process = self.function.process
        for row, values in enumerate(zip(*columns)):
            cause[0] = timestamps[row]
            cause[1] = sequences[row]
            key = values[key_index]
            state = states.get(key)
            if state is None:
                state = {}
            try:
                process(dict(zip(names, values)), state, emit)
            except Exception as e:
                raise _Problem(f"{self.name} failed on key {key!r} (batch {batch.id}, row {row}): "
                               f"{type(e).__name__}: {e}") from e
            if state:
                states[key] = state
            elif key in states:
                del states[key]
            changed.add(key)
        if batch.HasField('watermark') and (self.clock is None or batch.watermark > self.clock):
            self.clock = batch.watermark
            if self.function.reacts_to_time:
                cause[0], cause[1] = batch.watermark, 0
                self.function.on_time(batch.watermark, _Touched(states, changed), emit)
        return dataplane_pb2.ResultBatch(
            batch_id=batch.id,
            row_count=len(out_timestamps),
            timestamps=out_timestamps,
            sequences=out_sequences,
            columns=[self._column(values, kind) for values, kind in zip(out_columns, self.output_lists)])

    @staticmethod
    def _values(column, kind, rows):
        values = list(getattr(column, kind))
        if column.nulls:
            nulls = column.nulls
            for row in range(rows):
                if nulls[row >> 3] & (1 << (row & 7)):
                    values[row] = None
        return values

    @staticmethod
    def _column(values, kind):
        if None not in values:
            return dataplane_pb2.Column(**{kind: values})
        nulls = bytearray((len(values) + 7) // 8)
        default = _DEFAULT[kind]
        filled = []
        for row, value in enumerate(values):
            if value is None:
                nulls[row >> 3] |= 1 << (row & 7)
                filled.append(default)
            else:
                filled.append(value)
        return dataplane_pb2.Column(nulls=bytes(nulls), **{kind: filled})

    def snapshot(self, changes_only):
        if changes_only:
            # None marks a key whose state is gone.
            state = (self.clock, {key: self.states.get(key) for key in self.changed})
        else:
            state = (self.clock, self.states)
        self.changed = set()
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)

    def restore(self, state, changes, key_groups=None):
        if key_groups is not None:
            # After a rescale: only this shard's keys, added to those taken from other shards.
            clock, held = pickle.loads(state) if state else (None, {})
            if clock is not None and (self.clock is None or clock > self.clock):
                self.clock = clock
            for key, value in held.items():
                if key_groups[0] <= self._key_group(key) < key_groups[1]:
                    if value is None:
                        self.states.pop(key, None)
                    else:
                        self.states[key] = value
        elif changes:
            self.clock, changed = pickle.loads(state)
            for key, value in changed.items():
                if value is None:
                    self.states.pop(key, None)
                else:
                    self.states[key] = value
        else:
            self.clock, self.states = pickle.loads(state) if state else (None, {})
        self.changed = set()

    def _key_group(self, key):
        if self.key_kind == 'STRING':
            code = 0
            units = key.encode('utf-16-be')
            for i in range(0, len(units), 2):
                code = (31 * code + ((units[i] << 8) | units[i + 1])) & 0xFFFFFFFF
        elif self.key_kind in ('LONG', 'TIMESTAMP'):
            bits = key & 0xFFFFFFFFFFFFFFFF
            code = (bits ^ (bits >> 32)) & 0xFFFFFFFF
        else:
            code = key & 0xFFFFFFFF
        return _murmur_mix(code) % KEY_GROUPS


class _RemoteOperator(remote_pb2_grpc.RemoteOperatorServicer):

    def __init__(self, functions):
        self.functions = functions

    def Check(self, spec, context):
        return remote_pb2.CheckResult(problems=[control_pb2.Diagnostic(message=problem)
                                                for problem in _problems(self.functions, spec)])

    def Session(self, requests, context):
        shard = None
        for request in requests:
            kind = request.WhichOneof('kind')
            try:
                if kind == 'open':
                    problems = _problems(self.functions, request.open.function)
                    if problems:
                        context.abort(grpc.StatusCode.FAILED_PRECONDITION, '; '.join(problems))
                    shard = _Shard(self.functions, request.open)
                    yield remote_pb2.SessionReply(opened=remote_pb2.ShardOpened(
                        reacts_to_time=shard.function.reacts_to_time, incremental_snapshots=True, restores_key_groups=True))
                elif shard is None:
                    context.abort(grpc.StatusCode.FAILED_PRECONDITION, f'{kind} before open')
                elif kind == 'batch':
                    yield remote_pb2.SessionReply(results=shard.process(request.batch))
                elif kind == 'snapshot':
                    yield remote_pb2.SessionReply(snapshot=remote_pb2.ShardSnapshot(
                        state=shard.snapshot(request.snapshot.changes_only)))
                elif kind == 'restore':
                    restore = request.restore
                    shard.restore(restore.state, restore.changes,
                                  (restore.key_groups.first, restore.key_groups.end) if restore.HasField('key_groups') else None)
                    yield remote_pb2.SessionReply(restored=remote_pb2.SnapshotRestored())
                else:
                    context.abort(grpc.StatusCode.INVALID_ARGUMENT, f'unknown request {kind}')
            except _Problem as e:
                context.abort(grpc.StatusCode.INTERNAL, str(e))


def serve(functions, argv=None):
    """Serves `functions` (name -> Function subclass) until SIGTERM or SIGINT.

    Prints 'serving NAMES on HOST:PORT' once it listens; --port 0 picks a free port.
    """
    parser = argparse.ArgumentParser(description='Serve Vigil operators: ' + ', '.join(sorted(functions)))
    parser.add_argument('--bind', default='127.0.0.1', help='address to listen on (0.0.0.0 in a container)')
    parser.add_argument('--port', type=int, default=50071, help='port to listen on; 0 picks a free one')
    parser.add_argument('--threads', type=int, default=64,
                        help='sessions served at once: one per shard of every operator version open here')
    parser.add_argument('--tls-cert', help="this process's certificate chain (PEM); with --tls-key and --tls-client-ca it "
                                           'serves mutual TLS: only hosts with a certificate that authority signed may call')
    parser.add_argument('--tls-key', help="the certificate's private key (PEM)")
    parser.add_argument('--tls-client-ca', help="the authority (PEM) that signs the hosts' certificates")
    parser.add_argument('--plaintext', action='store_true',
                        help='serve plaintext on an address beyond loopback (anyone who can reach it may call it)')
    args = parser.parse_args(argv)
    tls_files = [args.tls_cert, args.tls_key, args.tls_client_ca]
    if any(tls_files) and not all(tls_files):
        sys.exit('TLS needs all three of --tls-cert, --tls-key and --tls-client-ca')
    if not any(tls_files) and not args.plaintext and args.bind not in ('127.0.0.1', 'localhost', '::1'):
        sys.exit(f'listening on {args.bind} (beyond loopback) needs TLS: give --tls-cert, --tls-key and --tls-client-ca,'
                 ' or --plaintext to serve anyone who can reach it')
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=args.threads),
                         options=[('grpc.max_receive_message_length', 256 << 20),
                                  ('grpc.max_send_message_length', 256 << 20)])
    remote_pb2_grpc.add_RemoteOperatorServicer_to_server(_RemoteOperator(functions), server)
    if all(tls_files):
        with open(args.tls_key, 'rb') as key, open(args.tls_cert, 'rb') as cert, open(args.tls_client_ca, 'rb') as ca:
            credentials = grpc.ssl_server_credentials([(key.read(), cert.read())], root_certificates=ca.read(),
                                                      require_client_auth=True)
        port = server.add_secure_port(f'{args.bind}:{args.port}', credentials)
    else:
        port = server.add_insecure_port(f'{args.bind}:{args.port}')
    if port == 0:
        sys.exit(f'cannot listen on {args.bind}:{args.port}')
    server.start()
    print(f"serving {', '.join(sorted(functions))} on {args.bind}:{port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: server.stop(1))
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:
        server.stop(1)
