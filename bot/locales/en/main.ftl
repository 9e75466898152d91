## English.

welcome-choose-language = Hello! This is the bot of the Social Integration Club (KIS) at MOPS Wejherowo.
    Choose your language:
choose-language = Choose your language:
language-changed = Done. Language: { $language }.
consent-text = <b>Before we start — your data</b>
    We will store: your name, your Telegram number, the language you chose and — if you want — your phone number. Later also your sign-ups for activities and consultations.
    Why: to sign you up for KIS activities and remind you of them.
    Who sees it: only MOPS/KIS staff, and only what their work needs.
    Deleting: any time in "My data" (/mydata) → "Delete my data".
    Do you agree?
consent-declined = Understood. We saved nothing. If you change your mind, send /start.
consent-declined-registered = You are already registered with the club and your data is kept — nothing has changed. To delete it: /mydata → “🗑 Delete my data”.
consent-declined-kept = Your earlier consent and your data are kept — nothing has changed. To have them deleted, please call the coordinator: 58 677 79 87 (Mon–Fri 8:00–10:00).
consent-thanks = Thank you for agreeing.
ask-name = What is your name? Please write your first and last name.
ask-phone = Would you like to give your phone number? Club staff can then call you. This is optional.
    Press a button below.
name-invalid = I could not read that name. Please write just your first and last name, e.g. Anna Kowalska.
phone-invalid = That does not look like a phone number. Press "Share my number" or "Skip".
role-invalid = Unknown role.
contact-not-own = You can only share your own number. Press the button below.
contact-not-expected = Thank you, but we do not need a phone number right now.
invite-accepted = Invitation accepted. Welcome, { $name }!
invite-invalid = This invitation link is not valid (it was already used or has expired). You can register yourself — club staff will confirm your registration.
registration-pending = Thank you! A club staff member will check your registration. We will write to you once it is confirmed.
registration-active = All set, { $name }! You are registered with the club. Choose what you want to do:
registration-approved = Good news: your KIS registration has been confirmed! Choose what you want to do:
registration-rejected = We are sorry, we cannot confirm your registration. If you have questions, call 58 677 79 87 (Mon–Fri 8:00–10:00). Your data has been deleted.
account-inactive = Your account in the bot is inactive. Please call the coordinator: 58 677 79 87 (Mon–Fri 8:00–10:00).
please-start = Hello! To begin, send /start.
main-menu-greeting = Hello, { $name }! Choose what you want to do:
menu-hint = Choose from the menu below:
not-understood = Sorry, I did not understand. Please press a button in the menu below.
only-text = I understand only buttons and short text messages. Please press a menu button.
unknown-command = I do not know that command. Send /menu to see what I can do.
button-stale = This button is out of date. Send /menu.
error-generic = Sorry, something went wrong on our side. Please try again in a moment. If it keeps happening, call 58 677 79 87.
intake-held = We have a temporary problem. We'll handle your message as soon as it's over; no need to send it again.
cancelled = Cancelled.

menu-mydata = 👤 My data
menu-language = 🌐 Language
menu-about = ℹ️ About & contact
menu-staff = 🧰 Staff menu

about-contact = <b>Social Integration Club (KIS) at MOPS Wejherowo</b>
    We support people who are going through a hard time: workshops, consultations with a psychologist and a lawyer, career counselling, support groups, childcare during activities.
    Taking part starts with a social contract signed with a social worker.
    <b>Contact:</b> Coordinator for institutional help, MOPS Wejherowo, ground floor, room 11, Monday–Friday 8:00–10:00.
    Phone: 58 677 79 87

mydata-summary = <b>Your data stored in the bot</b>
    Name: { $name }
    Phone: { $phone }
    Language: { $language }
    Telegram number: { $telegram_id }
    Role: { $role }
    Status: { $status }
    How you registered: { $source }
    Registered: { $registered }
    Consent given: { $consent }
btn-delete-data = 🗑 Delete my data
delete-confirm = Are you sure? We will delete your name, phone and Telegram number. Only anonymous counts for reports will remain. This cannot be undone.
btn-delete-confirm = Yes, delete everything
btn-delete-keep = No, keep it
delete-kept = All right, nothing was changed.
delete-done = Your data has been deleted.
delete-goodbye = Goodbye! If you want to come back, send /start.
delete-staff-refused = A staff member's data is deleted by an administrator.

status-onboarding = registering
status-pending = waiting for confirmation
status-active = active
status-deactivated = inactive
status-anonymised = deleted
role-participant = participant
role-admin = administrator
role-coordinator = coordinator
role-specialist = specialist
role-childcare_partner = childcare (partner)
source-invite = invitation from staff
source-self = self-registration
source-staff = added as staff

btn-consent-agree = ✅ I agree
btn-consent-decline = ✖️ I do not agree
btn-change-language = 🌐 Other language
btn-share-phone = 📱 Share my number
btn-skip-phone = Skip
btn-cancel = Cancel
btn-approve = ✅ Approve
btn-reject = ❌ Reject
btn-staff-pending = { $count ->
    [0] Registrations to approve (none)
    [one] { $count } registration to approve
   *[other] { $count } registrations to approve
}
btn-staff-invite = ✉️ Create an invite link

staff-only = This is only for club staff.
staff-menu-title = <b>Staff menu</b>
staff-no-pending = No registrations are waiting for a decision.
staff-new-registration = <b>New registration</b>
    Name: { $name }
    Phone: { $phone }
    Approve?
staff-pending-card = <b>Registration</b>
    Name: { $name }
    Phone: { $phone }
    Registered: { $registered }
staff-approved = ✅ Approved. The person has been told.
staff-rejected = ❌ Rejected. The person has been told; their data was deleted.
staff-already-decided = This registration has already been handled.
staff-invite-ask-name = Type the person's first and last name (as in the social contract).
staff-invite-created = Invite link for: <b>{ $name }</b>
    { $link }
    Give it to this person. It works once, until { $expires }.

cmd-start = Start again
cmd-menu = Main menu
cmd-mydata = My data
cmd-language = Change language
cmd-help = About & contact
cmd-staff = Staff menu
cmd-pending = Registrations to approve
cmd-invite = Create an invite link

mydata-bookings-title = <b>Activity bookings:</b>
mydata-no-bookings = none
mydata-enrollment-confirmed = signed up
mydata-enrollment-waiting = waiting list
mydata-enrollment-offered = seat offered
mydata-enrollment-attended = attended
mydata-enrollment-absent = did not attend
mydata-enrollment-unmarked = attendance not marked
