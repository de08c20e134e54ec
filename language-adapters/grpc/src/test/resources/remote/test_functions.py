"""Functions the adapter's tests run: a count per key, one that fails on a key, one driven by time."""

import vigil_remote

OUT = ('key', 'count', 'value')


class Count(vigil_remote.Function):
    """Emits each event's key, how many events that key has had, and the event's value (None stays None)."""
    input_fields = ('key', 'value')
    output_fields = OUT

    def __init__(self, options):
        super().__init__(options)
        self.step = int(options.get('step', '1'))

    def process(self, event, state, emit):
        state['count'] = state.get('count', 0) + self.step
        emit(event['key'], state['count'], event['value'])


class FailsOnBoom(Count):
    def process(self, event, state, emit):
        if event['key'] == 'boom':
            raise ValueError('no booms')
        super().process(event, state, emit)


class Ticker(Count):
    """Counts like Count, and on every watermark emits each key's count."""
    reacts_to_time = True

    def on_time(self, time, states, emit):
        for key in sorted(states):
            emit(key, states[key]['count'], time)


if __name__ == '__main__':
    vigil_remote.serve({'count': Count, 'fails_on_boom': FailsOnBoom, 'ticker': Ticker})
