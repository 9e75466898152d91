## Consultations for participants (English).

menu-consult = 💬 Consultations
cs-pick-service = Who would you like to talk to? Choose a consultation:
cs-none = There are no consultations to choose from yet.
cs-need-referral = For this consultation (<b>{ $service }</b>) you need a referral from a social worker.
    Talk to your social worker or call the coordinator: 58 677 79 87 (Mon–Fri 8:00–10:00).
    Once you have a referral, come back here and pick a time.
cs-quota-used = All meetings of your referral have been used (<b>{ $service }</b>).
    If you need more, talk to your social worker.
cs-pick-day = <b>{ $service }</b>
    Choose a day:
cs-sessions-left = { $count ->
    [one] You have { $count } meeting left on your referral.
   *[other] You have { $count } meetings left on your referral.
}
cs-no-days = There are no free times yet (<b>{ $service }</b>). Please check again in a few days.
cs-pick-time = <b>{ $service }</b>, { $day }
    Choose a time:
cs-day-gone = That day is fully booked now (<b>{ $service }</b>). Please choose another.
cs-confirm = Confirm this time? <b>{ $service }</b>
cs-with = With: { $name }
cs-place = Place: { $place }
btn-cs-confirm = ✅ Yes, book it
btn-cs-confirm-move = ✅ Yes, move it
cs-slot-taken = Someone has just taken this time. Please choose another.
cs-booked = ✅ Booked. We will remind you.
cs-already = You already have a meeting planned:
cs-booking = 💬 <b>{ $service }</b>
cs-moved-note = ⚠️ The opening hours have changed. You can keep this time or choose another.
cs-discreet-on = 🔒 Discreet reminders: the lock screen will not show who the meeting is with.
cs-discreet-off = 🔓 Reminders show the kind of consultation.
btn-cs-move = 🔁 Change time
btn-cs-cancel = ❌ Cancel
btn-cs-discreet-on = 🔒 Turn on discreet reminders
btn-cs-discreet-off = 🔓 Show the kind of consultation
cs-cancel-ask = Do you really want to cancel this meeting?
cs-cancelled = Meeting cancelled (<b>{ $service }</b>). The time is free for others. Thank you for letting us know!
cs-too-late = It is too late to cancel in the bot. Please call the coordinator: 58 677 79 87 (Mon–Fri 8:00–10:00).
cs-not-active = This meeting is no longer current.
cs-moved = ✅ Time changed.
cs-coming-thanks = Thank you! See you soon.
cs-ics-neutral-title = Meeting at KIS
cs-day-today = today
cs-day-tomorrow = tomorrow
cs-day-date = on { $date }
cs-remind = Reminder: { $service } { $when } at { $time }
cs-remind-neutral = Reminder: your consultation at KIS { $when } at { $time }
cs-hours-changed = Hours changed: { $service } { $when } at { $time }
cs-hours-changed-neutral = Change in the KIS schedule: your meeting { $when } at { $time }
btn-cs-details = 🔎 Show details
cs-details-hint = Tap “🔎 Show details” to see the details.
btn-cs-pick-time = 📅 Choose a time
cs-referral-gone = This referral is no longer valid. Please ask your social worker.
cs-referral-received = 📝 You have a referral: <b>{ $service }</b>, { $count ->
    [one] { $count } meeting
   *[other] { $count } meetings
}, valid until { $until }.
    Pick a time in “💬 Consultations”.
cs-referral-invalid = This referral link is not valid or has already been used. Please ask your social worker.
mydata-consult-booked = planned
mydata-referral = 📝 Referral: { $service }, { $used } of { $total } used, valid until { $until }
