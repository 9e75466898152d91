## Childcare: screens of the partner and coordinators (English).

btn-cp-pending = { $count ->
    [0] 🧸 Care requests
   *[other] 🧸 Care requests ({ $count })
}
btn-cp-pending-short = 🧸 Care requests
btn-cp-roster = 📋 Care roster
btn-cp-open-roster = 📋 Open the roster
btn-cp-today = 📅 Today
btn-cp-approve = ✅ Approve
btn-cp-decline = ❌ Decline
btn-cp-reason-typed = ✍️ Other reason — I'll write it
cp-reason-full = No places at that time
cp-reason-age = Age outside the care we offer

cp-card-title = 🧸 <b>Care request</b>
cp-new-title = 🧸 <b>New care request</b>
cp-who = 👶 <b>{ $name }</b> — { $kind ->
    [adult] dependent adult
   *[child] child
}, { $age ->
    [one] { $age } year
   *[other] { $age } years
}
cp-who-removed = 👶 (the dependant's details were removed)
cp-needs = Needs: { $needs }
cp-needs-none = Needs: nothing noted
cp-when = 🕘 { $day }, { $start }–{ $end }
cp-place = 📍 { $place }
cp-parent = 👤 Parent: { $name }
cp-during = Meanwhile: { $activity }
cp-moved = 🔁 The time changed (was: { $was }). Please decide again.
cp-state-approved = ✅ Approved.
cp-state-declined = ❌ Declined: { $reason }
cp-state-cancelled = 🚫 Cancelled.
cp-state-held = ⏳ Waiting for a free place.

cp-pending-title = { $count ->
    [0] 🧸 No requests are waiting for a decision.
    [one] 🧸 <b>1 request is waiting for a decision:</b>
   *[other] 🧸 <b>{ $count } requests are waiting for a decision:</b>
}
cp-pending-more = Showing the first { $shown }. After deciding, tap "Care requests" again.
cp-decline-ask = Why are you declining? The parent will see this reason.
cp-reason-ask = Write a short reason for declining care for { $name } (the parent will see it).
cp-reason-invalid = Write the reason in 1–{ $max } characters, or tap "Cancel".
cp-already-decided = Someone has already decided on this request.
cp-closed = This request is no longer current.
cp-done-approved = The parent will be told the care is approved.
cp-done-declined = The parent will be told, with the reason.

cp-roster-title = 📋 <b>Care roster</b> — { $day }
cp-roster-empty = No approved care on this day.
cp-roster-waiting = { $count ->
    [one] ⏳ 1 request for this day is waiting for a decision.
   *[other] ⏳ { $count } requests for this day are waiting for a decision.
}
cp-roster-line = <b>{ $start }–{ $end }</b> { $who }
cp-morning-title = 📋 <b>Good morning! Care today</b> — { $day }

cp-cancelled-title = 🚫 <b>Care cancelled</b>
cp-cancelled-note = The parent gave it up or their booking was cancelled. Nothing for you to do.
