## Staff tools: agenda, search and card, exports and indicators (Polish).

btn-sx-agenda = 📅 Agenda
btn-sx-search = 🔎 Szukaj uczestnika
btn-sx-exports = 📤 Eksport i raporty

sx-agenda-title = <b>📅 Agenda</b>
    Który dzień pokazać?
btn-sx-today = Dziś
btn-sx-tomorrow = Jutro
btn-sx-week = Ten tydzień
sx-agenda-day = <b>📅 { $day }</b>
sx-agenda-workshops = <u>Warsztaty</u>
sx-agenda-session = • { $start }–{ $end } { $title }: miejsca { $taken }/{ $capacity }, lista oczekujących: { $waiting }
sx-agenda-session-cancelled = • <s>{ $start }–{ $end } { $title }</s> (odwołane)
sx-agenda-consultations = <u>Konsultacje</u>
sx-agenda-specialist = <i>{ $name }</i>
sx-agenda-consultation = • { $start } { $name } ({ $service })
sx-agenda-consultation-time = • { $start } spotkanie
sx-agenda-childcare = <u>Opieka nad dziećmi</u>: zgłoszenia: { $count }, czeka na decyzję: { $pending }
sx-agenda-empty = Nic nie zaplanowano.

sx-find-ask = Napisz część imienia, nazwiska albo numeru telefonu uczestnika.
sx-find-none = Nikogo nie znaleziono. Napisz inaczej albo stuknij „Anuluj”.
sx-find-results = Wybierz osobę:
sx-find-more = Pokazuję pierwsze { $count } osób. Aby zawęzić, wyszukaj jeszcze raz.
btn-sx-search-again = 🔎 Szukaj innej osoby
btn-sx-pending = 📥 Oczekujące zgłoszenia

sx-card-title = 👤 <b>{ $name }</b>
    Telefon: { $phone }
    Status: { $status }
sx-card-attendance = Obecności: { $attended }, nieobecności: { $missed }
sx-card-upcoming = <u>Najbliższe</u>
sx-card-no-upcoming = Brak zaplanowanych zajęć.
sx-card-past = <u>Wcześniejsze</u>
sx-card-booking = { $mark } { $when } { $title } — { $status }
sx-card-referrals = <u>Skierowania</u>
sx-card-referral = • { $service }: { $used } z { $total }, ważne do { $until }{ $revoked ->
        [yes] {" "}(cofnięte)
       *[no] {""}
    }
sx-card-care = <u>Opieka nad dziećmi</u>
sx-card-care-line = • { $when } { $name } — { $status }
sx-status-onboarding = w trakcie rejestracji
sx-status-pending = czeka na zatwierdzenie
sx-status-active = aktywny
sx-status-deactivated = nieaktywny
sx-status-anonymised = dane usunięte
sx-st-confirmed = zapisany
sx-st-waiting = na liście oczekujących
sx-st-offered = zaproponowane miejsce
sx-st-cancelled = odwołane
sx-st-passed = zrezygnował
sx-st-expired = wygasło
sx-st-session-cancelled = zajęcia odwołane
sx-st-held = wstrzymane (brak miejsc)
sx-st-pending = czeka na decyzję
sx-st-approved = zatwierdzone
sx-st-declined = odmowa
sx-st-booked = umówione
sx-st-attended = obecny
sx-st-no-show = nieobecny
sx-st-unmarked = bez oznaczenia

btn-sx-approve = ✅ Zatwierdź rejestrację
btn-sx-referral = 📝 Wystaw skierowanie
btn-sx-deactivate = ⛔ Dezaktywuj
sx-deactivate-ask = Dezaktywować konto: <b>{ $name }</b>? Ta osoba nie będzie mogła korzystać z bota.
btn-sx-deactivate-yes = Tak, dezaktywuj
btn-sx-deactivate-no = Nie, wróć
sx-deactivated = ⛔ Konto dezaktywowane.
sx-deactivated-cancelled = Anulowane przyszłe rezerwacje — miejsca na warsztatach: { $seats }, miejsca na liście oczekujących: { $waiting }, konsultacje: { $consultations }, prośby o opiekę: { $care }. Zwolnione miejsca zaproponowano kolejnym osobom z listy oczekujących.
sx-deactivated-nothing = Nie było przyszłych rezerwacji do anulowania.

sx-pending-title = <b>📥 Oczekujące zgłoszenia</b>
sx-pending-people = Rejestracje do zatwierdzenia: { $count }
sx-pending-care = Prośby o opiekę do decyzji: { $count }

sx-exports-title = <b>📤 Eksport i raporty</b>
    Co przygotować?
btn-sx-kind-participants = 👥 Uczestnicy
btn-sx-kind-workshops = 🎨 Zapisy i obecność na warsztatach
btn-sx-kind-consultations = 💬 Konsultacje
btn-sx-kind-childcare = 🧸 Opieka nad dziećmi
btn-sx-indicators = 📊 Wskaźniki miesiąca
btn-sx-chart = 📈 Wykres z 6 miesięcy
sx-month-ask = Za który miesiąc?
btn-sx-this-month = Ten miesiąc ({ $month })
btn-sx-last-month = Poprzedni ({ $month })
btn-sx-other-month = Inny miesiąc…
sx-format-ask = W jakim formacie?
sx-export-caption = 📤 Wierszy: { $rows }
sx-ind-title = <b>📊 Wskaźniki: { $month }</b>
sx-ind-unique = Unikalni uczestnicy
sx-ind-hours-workshops = Godziny: warsztaty
sx-ind-hours-consultations = Godziny: konsultacje
sx-ind-hours-childcare = Godziny: opieka
sx-ind-hours-total = Godziny razem
sx-ind-attendance-workshops = Frekwencja: warsztaty
sx-ind-noshow-workshops = Nieobecności: warsztaty
sx-ind-attendance-consultations = Frekwencja: konsultacje
sx-ind-noshow-consultations = Nieobecności: konsultacje
sx-chart-caption = 📈 Godziny wsparcia i uczestnicy w ostatnich { $months } miesiącach
