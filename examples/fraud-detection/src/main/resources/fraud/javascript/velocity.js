// VELOCITY in JavaScript: more than five charges on one card within a minute of the card's newest.
const WINDOW_MILLIS = 60000;
let chargesAt;
let limit;

function open(context) {
  chargesAt = context.mapState('charges-at', 'Long', 'Integer');
  limit = Number(context.option('limit', '5'));
}

function process(txn, results) {
  const ts = txn.ts;
  const already = chargesAt.get(ts);
  chargesAt.put(ts, already == null ? 1 : already + 1);
  let inWindow = 0;
  for (const charges = chargesAt.entries().iterator(); charges.hasNext();) {
    const charge = charges.next();
    if (charge.getKey() <= ts - WINDOW_MILLIS) {
      charges.remove();
    } else {
      inWindow += charge.getValue();
    }
  }
  if (inWindow > limit) {
    results.emit('VELOCITY', txn.cardId, txn.txnId, txn.amount, ts);
  }
}
