## Consultations: staff screens (Ukrainian).

btn-cx-referrals = 📝 Направлення
btn-cx-agendas = 🗓 Графік спеціалістів
btn-cx-my-agenda = 🗓 Мій графік

cx-referrals-title = <b>📝 Направлення</b>
    Видайте направлення людині, яка вже користується ботом, або створіть посилання з направленням, щоб передати його.
btn-cx-find = 🔎 Знайти учасника
btn-cx-link = 🔗 Посилання з направленням
cx-find-ask = Напишіть частину імені, прізвища або номера телефону.
cx-search-short = Напишіть щонайменше 2 символи.
cx-find-none = Нікого не знайдено. Напишіть інакше або натисніть «Скасувати».
cx-find-results = Виберіть людину:
cx-find-more = Показую перших { $count }. Щоб звузити, шукайте ще раз і напишіть більше.
btn-cx-search-again = 🔎 Шукати іншу людину

cx-person-card = 👤 <b>{ $name }</b>
    Телефон: { $phone }
cx-person-referrals = Направлення:
cx-person-no-referrals = У цієї людини ще немає направлень.
cx-referral-line = • { $service }: використано { $used } з { $total }, дійсне до { $until } — { $state }
cx-ref-active = активне
cx-ref-used-up = використане
cx-ref-expired = закінчилося
cx-ref-revoked = відкликане
btn-cx-new-referral = ➕ Нове направлення
btn-cx-revoke = 🚫 Відкликати: { $service }

cx-draft-person = 📝 Направлення для: <b>{ $name }</b>
cx-draft-link = 🔗 Посилання з направленням
cx-draft-service = Послуга: <b>{ $service }</b>
cx-draft-sessions = Кількість зустрічей: { $sessions }
cx-draft-until = Дійсне до: { $until }
cx-ask-service = На яку послугу?
cx-no-services = Зараз жодна послуга не потребує направлення.
cx-ask-sessions = Скільки зустрічей?
cx-ask-days = Як довго дійсне?
btn-cx-days = { $days } днів
cx-confirm-person = Людина отримає повідомлення, що може записатися. Видати?
cx-confirm-link = Посилання спрацює один раз: направлення отримає перша людина, яка його відкриє. Створити?
btn-cx-issue = ✅ Видати направлення
btn-cx-make-link = 🔗 Створити посилання
cx-issued = ✅ Направлення видано: <b>{ $name }</b>, { $service }, зустрічей: { $sessions }, дійсне до { $until }.
    Людина отримала повідомлення в боті.
cx-issued-unreachable = ✅ Направлення видано: <b>{ $name }</b>, { $service }, зустрічей: { $sessions }, дійсне до { $until }.
    Не вдалося надіслати їй повідомлення (вона заблокувала бота) — скажіть їй про це особисто.
cx-link-created = 🔗 <b>Посилання з направленням</b>: { $service }, зустрічей: { $sessions }, дійсне до { $until }.
    { $link }
    Передайте його людині (SMS, e-mail або роздруківка). Відкривши посилання, вона сама запишеться в боті.
cx-referral-not-needed = Ця послуга не потребує направлення.
cx-referral-person = Ця людина вже не є активним учасником.
cx-referral-received-neutral = 📝 У вас нове направлення в KIS.
cx-referral-received = 📝 У вас нове направлення в KIS.
    <b>{ $service }</b> — кількість зустрічей: { $sessions }, дійсне до { $until }.
    Запишіться на час у меню «{ $menu }».
cx-revoke-confirm = Відкликати направлення: <b>{ $service }</b> ({ $name })?
    Зустрічі, які вже призначені, залишаються.
btn-cx-revoke-yes = Так, відкликати
cx-revoked = Направлення відкликано.
cx-already-revoked = Це направлення вже було відкликане.

cx-specialists-title = Чий графік показати?
cx-no-specialists = Спеціалістів ще немає. Додайте їх командою: kisbot staff add … --role specialist
cx-agenda-mine = Мій графік
cx-agenda-title = 🗓 <b>{ $name }</b> — { $day }
cx-agenda-empty = Цього дня немає призначених зустрічей.
cx-agenda-line = { $mark } <b>{ $start }–{ $end }</b> { $name } — { $status }
    { $service }, { $place }
cx-agenda-hint = Після зустрічі натисніть на людину: ✅ прийшла, натисніть ще раз: ❌ не прийшла.
cx-status-booked = призначено
cx-status-attended = присутність
cx-status-no-show = відсутність
cx-status-unmarked = присутність не позначено
btn-cx-today = 📅 Сьогодні
btn-cx-specialists = 👥 Спеціалісти
cx-not-started = Присутність можна позначити, коли зустріч почнеться.
cx-booking-closed = Цю зустріч скасовано.
cx-morning-title = 🗓 <b>Доброго ранку! Ваші зустрічі сьогодні</b> — { $day }
cx-morning-discreet = Кількість зустрічей: { $count }, перша о { $time }.
    Деталі побачите, натиснувши «🗓 Відкрити графік».
btn-cx-open-agenda = 🗓 Відкрити графік
cx-already-issued = Це направлення вже видано щойно.
