## Consultations: staff screens (English).

btn-cx-referrals = 📝 Referrals
btn-cx-agendas = 🗓 Specialists' agendas
btn-cx-my-agenda = 🗓 My agenda

cx-referrals-title = <b>📝 Referrals</b>
    Refer a person who already uses the bot, or make a referral link to hand over.
btn-cx-find = 🔎 Find a participant
btn-cx-link = 🔗 Referral link
cx-find-ask = Type part of the first name, surname or phone number.
cx-search-short = Type at least 2 characters.
cx-find-none = Nobody found. Try other words or tap “Cancel”.
cx-find-results = Choose the person:
cx-find-more = Showing the first { $count }. To narrow it down, search again and type more.
btn-cx-search-again = 🔎 Find someone else

cx-person-card = 👤 <b>{ $name }</b>
    Phone: { $phone }
cx-person-referrals = Referrals:
cx-person-no-referrals = This person has no referrals yet.
cx-referral-line = • { $service }: { $used } of { $total } used, valid until { $until } — { $state }
cx-ref-active = active
cx-ref-used-up = used up
cx-ref-expired = expired
cx-ref-revoked = revoked
btn-cx-new-referral = ➕ New referral
btn-cx-revoke = 🚫 Revoke: { $service }

cx-draft-person = 📝 Referral for: <b>{ $name }</b>
cx-draft-link = 🔗 Referral link
cx-draft-service = Service: <b>{ $service }</b>
cx-draft-sessions = Sessions: { $sessions }
cx-draft-until = Valid until: { $until }
cx-ask-service = Which service?
cx-no-services = No service needs a referral at the moment.
cx-ask-sessions = How many sessions?
cx-ask-days = Valid for how long?
btn-cx-days = { $days } days
cx-confirm-person = The person will get a message that they can book. Issue it?
cx-confirm-link = The link works once: the first person who opens it gets the referral. Make it?
btn-cx-issue = ✅ Issue the referral
btn-cx-make-link = 🔗 Make the link
cx-issued = ✅ Referral issued: <b>{ $name }</b>, { $service }, sessions: { $sessions }, valid until { $until }.
    The person got a message in the bot.
cx-issued-unreachable = ✅ Referral issued: <b>{ $name }</b>, { $service }, sessions: { $sessions }, valid until { $until }.
    We could not message them (they blocked the bot) — please tell them in person.
cx-link-created = 🔗 <b>Referral link</b>: { $service }, sessions: { $sessions }, valid until { $until }.
    { $link }
    Hand it to the person (text message, e-mail or a printout). Once they open it, they book in the bot themselves.
cx-referral-not-needed = This service does not need a referral.
cx-referral-person = This person is no longer an active participant.
cx-referral-received-neutral = 📝 You have a new referral at KIS.
cx-referral-received = 📝 You have a new referral at KIS.
    <b>{ $service }</b> — sessions: { $sessions }, valid until { $until }.
    Book a time in the “{ $menu }” menu.
cx-revoke-confirm = Revoke the referral: <b>{ $service }</b> ({ $name })?
    Appointments already booked stay.
btn-cx-revoke-yes = Yes, revoke
cx-revoked = Referral revoked.
cx-already-revoked = This referral was already revoked.

cx-specialists-title = Whose agenda?
cx-no-specialists = There are no specialists yet. Add them with: kisbot staff add … --role specialist
cx-agenda-mine = My agenda
cx-agenda-title = 🗓 <b>{ $name }</b> — { $day }
cx-agenda-empty = No appointments on this day.
cx-agenda-line = { $mark } <b>{ $start }–{ $end }</b> { $name } — { $status }
    { $service }, { $place }
cx-agenda-hint = After the appointment tap the person: ✅ came; tap again: ❌ did not come.
cx-status-booked = booked
cx-status-attended = attended
cx-status-no-show = no-show
cx-status-unmarked = not marked
btn-cx-today = 📅 Today
btn-cx-specialists = 👥 Specialists
cx-not-started = You can mark attendance once the appointment has started.
cx-booking-closed = This appointment was cancelled.
cx-morning-title = 🗓 <b>Good morning! Your appointments today</b> — { $day }
cx-morning-discreet = Appointments: { $count }, the first at { $time }.
    Tap “🗓 Open the agenda” to see them.
btn-cx-open-agenda = 🗓 Open the agenda
cx-already-issued = This referral was issued a moment ago.
