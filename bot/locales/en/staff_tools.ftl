## Staff tools: agenda, search and card, exports and indicators (English).

btn-sx-agenda = 📅 Agenda
btn-sx-search = 🔎 Find a participant
btn-sx-exports = 📤 Exports and reports

sx-agenda-title = <b>📅 Agenda</b>
    Which day?
btn-sx-today = Today
btn-sx-tomorrow = Tomorrow
btn-sx-week = This week
sx-agenda-day = <b>📅 { $day }</b>
sx-agenda-workshops = <u>Workshops</u>
sx-agenda-session = • { $start }–{ $end } { $title }: seats { $taken }/{ $capacity }, waiting list: { $waiting }
sx-agenda-session-cancelled = • <s>{ $start }–{ $end } { $title }</s> (cancelled)
sx-agenda-consultations = <u>Consultations</u>
sx-agenda-specialist = <i>{ $name }</i>
sx-agenda-consultation = • { $start } { $name } ({ $service })
sx-agenda-consultation-time = • { $start } appointment
sx-agenda-childcare = <u>Childcare</u>: requests: { $count }, awaiting a decision: { $pending }
sx-agenda-empty = Nothing planned.

sx-find-ask = Type part of the participant's name or phone number.
sx-find-none = Nobody found. Try other words or tap “Cancel”.
sx-find-results = Choose a person:
sx-find-more = Showing the first { $count }. Search again with more to narrow it down.
btn-sx-search-again = 🔎 Find someone else
btn-sx-pending = 📥 Pending requests

sx-card-title = 👤 <b>{ $name }</b>
    Phone: { $phone }
    Status: { $status }
sx-card-attendance = Attended: { $attended }, missed: { $missed }
sx-card-upcoming = <u>Upcoming</u>
sx-card-no-upcoming = Nothing planned.
sx-card-past = <u>Earlier</u>
sx-card-booking = { $mark } { $when } { $title } — { $status }
sx-card-referrals = <u>Referrals</u>
sx-card-referral = • { $service }: { $used } of { $total }, valid until { $until }{ $revoked ->
        [yes] {" "}(revoked)
       *[no] {""}
    }
sx-card-care = <u>Childcare</u>
sx-card-care-line = • { $when } { $name } — { $status }
sx-status-onboarding = registering
sx-status-pending = awaiting approval
sx-status-active = active
sx-status-deactivated = deactivated
sx-status-anonymised = data deleted
sx-st-confirmed = booked
sx-st-waiting = on the waiting list
sx-st-offered = seat offered
sx-st-cancelled = cancelled
sx-st-passed = passed
sx-st-expired = expired
sx-st-session-cancelled = session cancelled
sx-st-held = on hold (no room)
sx-st-pending = awaiting a decision
sx-st-approved = approved
sx-st-declined = declined
sx-st-booked = booked
sx-st-attended = attended
sx-st-no-show = no-show
sx-st-unmarked = not marked

btn-sx-approve = ✅ Approve registration
btn-sx-referral = 📝 Issue a referral
btn-sx-deactivate = ⛔ Deactivate
sx-deactivate-ask = Deactivate the account of <b>{ $name }</b>? They will no longer be able to use the bot.
btn-sx-deactivate-yes = Yes, deactivate
btn-sx-deactivate-no = No, go back
sx-deactivated = ⛔ Account deactivated.
sx-deactivated-cancelled = Future bookings cancelled — workshop seats: { $seats }, waiting-list places: { $waiting }, consultations: { $consultations }, childcare requests: { $care }. Freed seats were offered to the next people on the waiting list.
sx-deactivated-nothing = There were no future bookings to cancel.

sx-pending-title = <b>📥 Pending requests</b>
sx-pending-people = Registrations to approve: { $count }
sx-pending-care = Care requests to decide: { $count }

sx-exports-title = <b>📤 Exports and reports</b>
    What should I prepare?
btn-sx-kind-participants = 👥 Participants
btn-sx-kind-workshops = 🎨 Workshop enrolments and attendance
btn-sx-kind-consultations = 💬 Consultations
btn-sx-kind-childcare = 🧸 Childcare
btn-sx-indicators = 📊 Indicators of a month
btn-sx-chart = 📈 Chart of 6 months
sx-month-ask = Which month?
btn-sx-this-month = This month ({ $month })
btn-sx-last-month = Last month ({ $month })
btn-sx-other-month = Another month…
sx-format-ask = Which format?
sx-export-caption = 📤 Rows: { $rows }
sx-ind-title = <b>📊 Indicators: { $month }</b>
sx-ind-unique = Unique participants
sx-ind-hours-workshops = Hours: workshops
sx-ind-hours-consultations = Hours: consultations
sx-ind-hours-childcare = Hours: childcare
sx-ind-hours-total = Hours in total
sx-ind-attendance-workshops = Attendance: workshops
sx-ind-noshow-workshops = No-shows: workshops
sx-ind-attendance-consultations = Attendance: consultations
sx-ind-noshow-consultations = No-shows: consultations
sx-chart-caption = 📈 Hours of support and participants over the last { $months } months
