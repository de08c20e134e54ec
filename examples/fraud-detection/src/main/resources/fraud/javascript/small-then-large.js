// SMALL_THEN_LARGE in JavaScript, as the EPL pattern has it: every charge under 2.00 waits for the
// card's next charge of at least `large` (option, default 200.00) within a minute, and each waiting
// small charge it completes raises an alert. The state is the host's, per card.
const WINDOW_MILLIS = 60000;
let waitingSmallCharges;
let large;

function open(context) {
  waitingSmallCharges = context.mapState('waiting-small-charges', 'Long', 'Integer');
  large = Number(context.option('large', '200.00'));
}

function process(txn, results) {
  const ts = txn.ts;
  if (txn.amount >= large) {
    for (const waiting = waitingSmallCharges.entries().iterator(); waiting.hasNext();) {
      const small = waiting.next();
      if (ts - small.getKey() <= WINDOW_MILLIS) {
        for (let i = 0; i < small.getValue(); i++) {
          results.emit('SMALL_THEN_LARGE', txn.cardId, txn.txnId, txn.amount, ts);
        }
        waiting.remove();
      }
    }
  }
  for (const waiting = waitingSmallCharges.entries().iterator(); waiting.hasNext();) {
    if (ts - waiting.next().getKey() > WINDOW_MILLIS) {
      waiting.remove();
    }
  }
  if (txn.amount < 2.00) {
    const already = waitingSmallCharges.get(ts);
    waitingSmallCharges.put(ts, already == null ? 1 : already + 1);
  }
}
