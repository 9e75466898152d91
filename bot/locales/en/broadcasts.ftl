## Staff broadcasts (English).

btn-bc-menu = 📣 Announcements
bc-menu = <b>📣 Announcements</b>
    Send a message to participants: everyone or a chosen group.
btn-bc-new = ✏️ New announcement
btn-bc-continue = 📝 Continue the draft
btn-bc-history = 📋 Sent announcements
btn-bc-back = ⬅️ Back

bc-ask-text-pl = Write the announcement in Polish. Everyone whose language has no version of its own gets it.
    You can also send a photo or a document with a caption.
bc-ask-text-uk = Write the Ukrainian version (for people who chose Ukrainian).
bc-ask-text-en = Write the English version (for people who chose English).
bc-ask-media = Send a photo or a document. Its caption, if you add one, replaces the Polish text.
bc-ask-caption = Attachment added. Now write the announcement in Polish.
bc-ask-dates = Type a date range, e.g. 3.12-10.12 (or one day: 3.12).
bc-ask-when = Type the date and time to send it, e.g. 5.12 10:00.

bc-card = <b>📣 Announcement (draft)</b>
    { $text }

    🇺🇦 Ukrainian version: { $uk }
    🇬🇧 English version: { $en }
    📎 Attachment: { $media }
    👥 Recipients: { $audience }
    ⏰ When: { $when }
    🌙 Quiet hours: { $quiet }
bc-none = —
bc-media-photo = photo
bc-media-document = document
bc-when-now = as soon as confirmed
bc-quiet-respected = at night sending waits until morning
bc-quiet-ignored = urgent: sent at night too
btn-bc-text = ✏️ Text
btn-bc-media = 📎 Attachment
btn-bc-media-remove = 📎 Remove attachment
btn-bc-uk = 🇺🇦 UA version
btn-bc-en = 🇬🇧 EN version
btn-bc-remove-version = 🗑 Remove this version
btn-bc-audience = 👥 Recipients
btn-bc-when = ⏰ When
btn-bc-urgent = { $on ->
    [yes] 🚨 Urgent: yes
   *[no] 🚨 Urgent: no
}
btn-bc-preview = 👁 Preview
btn-bc-send = ✅ Send…
btn-bc-discard = 🗑 Delete draft

bc-aud-none = not chosen
bc-aud-all = all active participants
bc-aud-language = participants who chose { $language }
bc-aud-workshop = booked on the workshop “{ $title }”
bc-aud-session = booked on “{ $title }”, { $when }
bc-aud-waitlist = waiting list of “{ $title }”, { $when }
bc-aud-dates = with a workshop or consultation { $start }–{ $end }
bc-aud-gone = (this group no longer exists)
bc-aud-count = { $audience } — { $count ->
    [one] { $count } person
   *[other] { $count } people
}
bc-aud-skipped = {" "}({ $count } left out: they blocked the bot)

bc-audience-title = Who should get the announcement?
btn-bc-aud-all = 👥 All participants
btn-bc-aud-workshop = 📚 Booked on a workshop
btn-bc-aud-session = 📅 Booked on one date
btn-bc-aud-waitlist = ⏳ A waiting list
btn-bc-aud-dates = 🗓 With a booking on chosen days
btn-bc-aud-language = 🌐 People of one language
bc-pick-workshop = Choose a workshop (in brackets: how many are booked):
bc-pick-session = Choose a date (in brackets: how many are booked):
bc-pick-waitlist = Choose a date (in brackets: how many are waiting):
bc-pick-none = There are no such upcoming dates.
bc-pick-language = Which language?
bc-pick-dates = Choose the days or type a date range:
btn-bc-this-week = This week
btn-bc-next-week = Next week
btn-bc-next-14 = Next 14 days
btn-bc-type-dates = ✏️ I'll type the dates

bc-when-title = When should it be sent?
btn-bc-now = ▶️ As soon as confirmed
btn-bc-today-evening = Today at 18:00
btn-bc-tomorrow-morning = Tomorrow at 9:00
btn-bc-tomorrow-noon = Tomorrow at 12:00
btn-bc-type-when = ✏️ I'll type a date and time

bc-preview-title = 👁 Preview — { $language }:
bc-confirm-now = Send the announcement now to { $count ->
    [one] { $count } person
   *[other] { $count } people
}?
bc-confirm-later = Schedule the announcement for { $when } to { $count ->
    [one] { $count } person
   *[other] { $count } people
}?
bc-confirm-quiet = 🌙 That is within quiet hours, so sending starts at { $when }. If it is urgent, switch “Urgent” on.
btn-bc-confirm = ✅ Yes, send

bc-report-title = <b>📣 Announcement</b> ({ $when })
bc-report-audience = 👥 { $audience }: { $count }
bc-state-scheduled = ⏰ Scheduled for { $when }
bc-state-sending = ⏳ Sending: { $done } of { $total }…
bc-state-stopping = ⏹ Stopping…
bc-state-stopped = ⏹ Stopped
bc-state-done = ✅ Sending finished
bc-report-counts = ✅ Delivered: { $delivered }
    🚫 Unreachable (blocked the bot): { $unreachable }
    ⚠️ Failed: { $failed }
bc-report-cancelled = ⏹ Not sent: { $count }
bc-report-retrying = 🔁 Being retried: { $count }
btn-bc-stop = ⏹ Stop sending
btn-bc-stop-yes = ⏹ Yes, stop
bc-stop-confirm = Stop sending? The messages that have not gone out yet ({ $count }) will not be sent.
btn-bc-failures = ⚠️ Not delivered ({ $count })
btn-bc-refresh = 🔄 Refresh
btn-bc-report = 📊 Report
bc-finished-notice = 📣 Announcement sent: { $delivered } delivered, { $unreachable } unreachable, { $failed } failed.

bc-stopped-notice = ⏹ Announcement stopped: { $delivered } delivered, { $cancelled } not sent.

bc-history-title = <b>📋 Sent announcements</b>
    (delivered / all recipients)
bc-history-empty = No announcement has been sent yet.
btn-bc-history-line = { $when } · ✅ { $delivered }/{ $total }
bc-failures-title = <b>⚠️ Not delivered</b>
bc-failure-blocked = • { $name }: blocked the bot — worth a phone call
bc-failure-failed = • { $name }: { $reason }
bc-failure-unknown = (data deleted)
bc-failures-none = Everyone got the announcement.
bc-failures-more = Showing the first { $count }.

bc-text-empty = The text cannot be empty. Please write it again.
bc-text-too-long = The message is too long: 4096 characters at most.
bc-caption-too-long = With an attachment the text may have 1024 characters at most. Shorten it or remove the attachment.
bc-media-invalid = This file cannot be attached. Send a photo or a document.
bc-media-expected = Send a photo or a document here (or tap “Back”).
bc-text-expected = Send text only here (add an attachment with “📎 Attachment”).
bc-no-audience = Choose the recipients first.
bc-no-recipients = Nobody in this group can get a message now. Choose other recipients.
bc-dates-format = I don't understand the dates. Type e.g. 3.12-10.12.
bc-dates-too-long = Three months at most at a time.
bc-when-format = I don't understand. Type a date and time, e.g. 5.12 10:00.
bc-when-past = That time has passed. Choose a later one.
bc-when-too-far = 90 days ahead at most.
bc-already-sent = This announcement has already been confirmed.
bc-already-finished = Sending has already finished.
bc-stopped = Stopped. Not sent: { $count }.
bc-discarded = 🗑 Draft deleted.
