"""SMALL_THEN_LARGE and VELOCITY in Python, as the EPL rules have them, served to Vigil over gRPC.

    python3 fraud_rules.py --port 50071

An operator runs one of them with language 'grpc', source 'HOST:50071' and option function
'small_then_large' or 'velocity'. Each keeps its state per card in the dict Vigil hands it.
"""

import vigil_remote

WINDOW_MILLIS = 60000
TRANSACTION = ('txnId', 'cardId', 'amount', 'ts')
ALERT = ('rule', 'cardId', 'txnId', 'amount', 'ts')


class SmallThenLarge(vigil_remote.Function):
    """Every charge under 2.00 waits for the card's next charge of at least `large` (default 200.00)
    within a minute, and each waiting small charge it completes raises an alert."""
    input_fields = TRANSACTION
    output_fields = ALERT

    def __init__(self, options):
        super().__init__(options)
        self.large = float(options.get('large', '200.00'))

    def process(self, txn, state, emit):
        ts = txn['ts']
        amount = txn['amount']
        waiting = state.get('waiting-small-charges')
        if waiting:
            if amount >= self.large:
                for small in [small for small in waiting if ts - small <= WINDOW_MILLIS]:
                    for _ in range(waiting.pop(small)):
                        emit('SMALL_THEN_LARGE', txn['cardId'], txn['txnId'], amount, ts)
            for small in [small for small in waiting if ts - small > WINDOW_MILLIS]:
                del waiting[small]
        if amount < 2.00:
            waiting = state.setdefault('waiting-small-charges', {})
            waiting[ts] = waiting.get(ts, 0) + 1
        elif waiting is not None and not waiting:
            del state['waiting-small-charges']


class Velocity(vigil_remote.Function):
    """More than `limit` (default 5) charges on one card within a minute of the card's newest."""
    input_fields = TRANSACTION
    output_fields = ALERT

    def __init__(self, options):
        super().__init__(options)
        self.limit = int(options.get('limit', '5'))

    def process(self, txn, state, emit):
        ts = txn['ts']
        charges = state.setdefault('charges-at', {})
        charges[ts] = charges.get(ts, 0) + 1
        in_window = 0
        for at in list(charges):
            if at <= ts - WINDOW_MILLIS:
                del charges[at]
            else:
                in_window += charges[at]
        if in_window > self.limit:
            emit('VELOCITY', txn['cardId'], txn['txnId'], txn['amount'], ts)


if __name__ == '__main__':
    vigil_remote.serve({'small_then_large': SmallThenLarge, 'velocity': Velocity})
