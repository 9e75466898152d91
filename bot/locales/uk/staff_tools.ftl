## Staff tools: agenda, search and card, exports and indicators (Ukrainian).

btn-sx-agenda = 📅 Розклад
btn-sx-search = 🔎 Знайти учасника
btn-sx-exports = 📤 Експорт і звіти

sx-agenda-title = <b>📅 Розклад</b>
    Який день показати?
btn-sx-today = Сьогодні
btn-sx-tomorrow = Завтра
btn-sx-week = Цей тиждень
sx-agenda-day = <b>📅 { $day }</b>
sx-agenda-workshops = <u>Майстер-класи</u>
sx-agenda-session = • { $start }–{ $end } { $title }: місця { $taken }/{ $capacity }, у черзі: { $waiting }
sx-agenda-session-cancelled = • <s>{ $start }–{ $end } { $title }</s> (скасовано)
sx-agenda-consultations = <u>Консультації</u>
sx-agenda-specialist = <i>{ $name }</i>
sx-agenda-consultation = • { $start } { $name } ({ $service })
sx-agenda-consultation-time = • { $start } зустріч
sx-agenda-childcare = <u>Догляд за дітьми</u>: заявок: { $count }, чекають рішення: { $pending }
sx-agenda-empty = Нічого не заплановано.

sx-find-ask = Напишіть частину імені, прізвища або номера телефону учасника.
sx-find-none = Нікого не знайдено. Напишіть інакше або натисніть «Скасувати».
sx-find-results = Виберіть особу:
sx-find-more = Показую перших { $count }. Щоб звузити, шукайте ще раз.
btn-sx-search-again = 🔎 Шукати іншу особу
btn-sx-pending = 📥 Заявки, що чекають

sx-card-title = 👤 <b>{ $name }</b>
    Телефон: { $phone }
    Статус: { $status }
sx-card-attendance = Присутності: { $attended }, відсутності: { $missed }
sx-card-upcoming = <u>Найближчі</u>
sx-card-no-upcoming = Немає запланованих занять.
sx-card-past = <u>Попередні</u>
sx-card-booking = { $mark } { $when } { $title } — { $status }
sx-card-referrals = <u>Направлення</u>
sx-card-referral = • { $service }: { $used } з { $total }, дійсне до { $until }{ $revoked ->
        [yes] {" "}(відкликано)
       *[no] {""}
    }
sx-card-care = <u>Догляд за дітьми</u>
sx-card-care-line = • { $when } { $name } — { $status }
sx-status-onboarding = реєструється
sx-status-pending = чекає підтвердження
sx-status-active = активний
sx-status-deactivated = неактивний
sx-status-anonymised = дані видалено
sx-st-confirmed = записаний
sx-st-waiting = у черзі
sx-st-offered = запропоноване місце
sx-st-cancelled = скасовано
sx-st-passed = відмовився
sx-st-expired = минуло
sx-st-session-cancelled = заняття скасовано
sx-st-held = відкладено (немає місць)
sx-st-pending = чекає рішення
sx-st-approved = підтверджено
sx-st-declined = відмовлено
sx-st-booked = заплановано
sx-st-attended = був присутній
sx-st-no-show = не прийшов
sx-st-unmarked = без позначки

btn-sx-approve = ✅ Підтвердити реєстрацію
btn-sx-referral = 📝 Видати направлення
btn-sx-deactivate = ⛔ Деактивувати
sx-deactivate-ask = Деактивувати обліковий запис: <b>{ $name }</b>? Ця особа не зможе користуватися ботом.
btn-sx-deactivate-yes = Так, деактивувати
btn-sx-deactivate-no = Ні, назад
sx-deactivated = ⛔ Обліковий запис деактивовано.
sx-deactivated-cancelled = Скасовано майбутні бронювання — місця на майстер-класах: { $seats }, місця в списку очікування: { $waiting }, консультації: { $consultations }, запити на догляд: { $care }. Звільнені місця запропоновано наступним людям зі списку очікування.
sx-deactivated-nothing = Майбутніх бронювань для скасування не було.

sx-pending-title = <b>📥 Заявки, що чекають</b>
sx-pending-people = Реєстрації на підтвердження: { $count }
sx-pending-care = Запити на догляд до рішення: { $count }

sx-exports-title = <b>📤 Експорт і звіти</b>
    Що підготувати?
btn-sx-kind-participants = 👥 Учасники
btn-sx-kind-workshops = 🎨 Записи й відвідуваність майстер-класів
btn-sx-kind-consultations = 💬 Консультації
btn-sx-kind-childcare = 🧸 Догляд за дітьми
btn-sx-indicators = 📊 Показники місяця
btn-sx-chart = 📈 Графік за 6 місяців
sx-month-ask = За який місяць?
btn-sx-this-month = Цей місяць ({ $month })
btn-sx-last-month = Попередній ({ $month })
btn-sx-other-month = Інший місяць…
sx-format-ask = У якому форматі?
sx-export-caption = 📤 Рядків: { $rows }
sx-ind-title = <b>📊 Показники: { $month }</b>
sx-ind-unique = Унікальні учасники
sx-ind-hours-workshops = Години: майстер-класи
sx-ind-hours-consultations = Години: консультації
sx-ind-hours-childcare = Години: догляд
sx-ind-hours-total = Години разом
sx-ind-attendance-workshops = Відвідуваність: майстер-класи
sx-ind-noshow-workshops = Відсутності: майстер-класи
sx-ind-attendance-consultations = Відвідуваність: консультації
sx-ind-noshow-consultations = Відсутності: консультації
sx-chart-caption = 📈 Години підтримки й учасники за останні { $months } місяців
