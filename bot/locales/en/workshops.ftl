## Workshops (English).

menu-workshops = 📚 Workshops
menu-bookings = 🗓 My bookings
group-social = 🤝 Social activation
group-professional = 💼 Professional activation
group-community = 🏘 Community activation
ws-groups-title = What kind of activity are you interested in?
ws-pick = Choose a workshop:
ws-none = There are no workshops here yet.
ws-place = Place: { $place }
ws-dates = Next dates:
ws-no-dates = No dates yet. Please check again later.
ws-free-seats = { $count ->
    [one] { $count } free seat
   *[other] { $count } free seats
}
ws-full = full, waiting list: { $waiting }
btn-series = 🔁 Whole cycle: { $title }
btn-signup = ✅ Sign me up
btn-join-waitlist = ⏳ Put me on the waiting list
btn-back = ⬅️ Back
btn-ics = 📲 Add to calendar
btn-cancel-booking = ❌ Cancel
btn-leave-waitlist = ❌ Leave the waiting list
btn-cancel-yes = Yes, cancel
btn-cancel-no = No, keep it
btn-history = 📜 Past activities
btn-take = ✅ Take it
btn-pass = Pass
btn-coming = 👍 I'll come
ws-booked = ✅ You're signed up: <b>{ $title }</b>
    { $when }
    Place: { $place }
    We'll remind you before it starts.
ws-already-booked = You're already signed up: <b>{ $title }</b>
    { $when }
    Place: { $place }
ws-waiting = All seats are taken. You're on the waiting list: <b>{ $title }</b>, { $when }.
    Your place in the queue: { $position }. If a seat frees up, we'll offer it to you.
ws-already-waiting = You're already on the waiting list: <b>{ $title }</b>, { $when }. Place in the queue: { $position }.
ws-offer-pending = A free seat is waiting for you: <b>{ $title }</b>. Please answer the offer message.
ws-closed = Sign-up for this date is closed.
ws-series-booked = Signed up for the whole cycle:
ws-state-confirmed = ✅ you have a seat
ws-state-waiting = ⏳ waiting list
ws-bookings-title = { $count ->
    [one] You have { $count } booking:
   *[other] You have { $count } bookings:
}
ws-bookings-empty = You have no bookings. Choose "📚 Workshops" to sign up.
ws-booking-confirmed = ✅ <b>{ $title }</b>
    { $when }
    Place: { $place }
ws-booking-waiting = ⏳ <b>{ $title }</b>, { $when }
    Waiting list, place in the queue: { $position }
ws-booking-offered = 🎉 <b>{ $title }</b>, { $when }
    A seat is free — do you want it?
bk-line-workshop = 📚 <b>{ $title }</b>, { $when } — { $state }
bk-line-consult = 💬 <b>{ $service }</b>, { $when }
bk-state-confirmed = ✅ you have a seat
bk-state-waiting = ⏳ waiting list, place in the queue: { $position }
bk-state-offered = 🎉 a seat is free — please answer
bk-open-hint = Choose a booking to open or cancel it.
bk-page = Page { $page } of { $pages }
ws-history-title = <b>Past activities</b>
ws-history-empty = You have no finished activities yet.
ws-attended = attended ✅
ws-absent = did not attend
ws-unmarked = attendance not marked
ws-cancel-confirm = Cancel your booking: <b>{ $title }</b>, { $when }?
ws-kept = All right, the booking stays.
ws-cancelled = Cancelled. If someone is on the waiting list, they will get this seat.
ws-already-cancelled = This booking is no longer active.
ws-cutoff = It's too late to cancel in the bot. Please call the club: 58 677 79 87 (Mon–Fri 8:00–10:00).
ws-offer = 🎉 A seat is free: <b>{ $title }</b>, { $when }.
    Would you like it? Please answer by { $deadline }.
ws-offer-passed = Thank you for answering. We'll offer the seat to the next person.
ws-offer-gone = This offer is no longer available.
ws-reminder = Reminder: your activity at KIS — { $when }.
    <b>{ $title }</b>
    Place: { $place }
ws-coming-thanks = Thank you, see you there!
ws-session-cancelled = We're sorry — <b>{ $title }</b> ({ $when }) has been cancelled. Your booking is cancelled.

## Staff screens for sessions.
btn-staff-sessions = 📚 Workshop dates
sw-list-title = Dates in the next two weeks (taken/seats):
sw-list-empty = No dates in the next two weeks.
sw-cancelled-mark = (cancelled)
sw-seats = Seats taken: { $taken } of { $capacity }
sw-confirmed-title = <b>Signed up ({ $count }):</b>
sw-offered-title = <b>Waiting to answer an offer ({ $count }):</b>
sw-waiting-title = <b>Waiting list ({ $count }):</b>
sw-none = —
btn-rest-absent = Everyone else: absent
btn-capacity = 🔢 Change the number of seats
btn-cancel-session = 🚫 Cancel this date
btn-cancel-session-yes = Yes, cancel and tell everyone
sw-cancel-confirm = Cancel this date? Everyone signed up and everyone on the waiting list will get a message.
sw-already-cancelled = This date is already cancelled.
sw-cancelled-done = { $count ->
    [one] Date cancelled. We are telling { $count } person.
   *[other] Date cancelled. We are telling { $count } people.
}
sw-capacity-ask = Type the new number of seats (e.g. 12).
ws-capacity-invalid = Please give a number no smaller than the seats already taken (and at most 1000).
sw-capacity-done = Seats: { $capacity }. Free seats are offered to the waiting list.
btn-open = Open
btn-sw-catalogue = 🗂 Workshop catalogue
sw-catalogue-title = Workshop catalogue. Choose a workshop to edit it or add a date:
btn-sw-new-workshop = ➕ New workshop
sw-new-group-ask = Which group does the new workshop belong to?
sw-new-title-ask = Type the workshop's name (in Polish).
sw-session-ask = Type the date, the hours and (optionally) the number of seats and the place, e.g.:
    2027-03-02 17:00-19:00 12 MOPS Wejherowo
sw-title-ask = Type the new name (in Polish).
sw-desc-ask = Type the new description (in Polish, 1–2 sentences).
sw-place-ask = Type the place, e.g. KIS Śródmieście, Wejherowo.
sw-workshop-created = Workshop created: <b>{ $title }</b>. Add a description, a place and dates.
sw-session-added = Date added: { $when }, seats: { $capacity }.
sw-saved = Saved.
sw-workshop-card = <b>{ $title }</b>
    Group: { $group }
    Description: { $description }
    Place: { $place }
    Default seats: { $capacity }
btn-sw-add-session = ➕ Add a date
btn-sw-edit-title = ✏️ Name
btn-sw-edit-desc = ✏️ Description
btn-sw-edit-place = 📍 Place
sw-session-format = I did not understand. Type e.g.: 2027-03-02 17:00-19:00 12
sw-session-end-before-start = The end time must be after the start time.
sw-session-in-past = That date has passed. Please give a future date.
sw-session-exists = This workshop already has a date at that time.
sw-title-invalid = That text is empty or too long. Please try again.
