## Consultations: staff screens (Polish).

btn-cx-referrals = 📝 Skierowania
btn-cx-agendas = 🗓 Grafik specjalistów
btn-cx-my-agenda = 🗓 Mój grafik

cx-referrals-title = <b>📝 Skierowania</b>
    Wystaw skierowanie osobie, która już korzysta z bota, albo utwórz link ze skierowaniem do przekazania.
btn-cx-find = 🔎 Znajdź uczestnika
btn-cx-link = 🔗 Link ze skierowaniem
cx-find-ask = Napisz część imienia, nazwiska albo numeru telefonu.
cx-search-short = Napisz co najmniej 2 znaki.
cx-find-none = Nikogo nie znaleziono. Napisz inaczej albo stuknij „Anuluj”.
cx-find-results = Wybierz osobę:
cx-find-more = Pokazuję pierwsze { $count } osób. Aby zawęzić, wyszukaj jeszcze raz i napisz więcej.
btn-cx-search-again = 🔎 Szukaj innej osoby

cx-person-card = 👤 <b>{ $name }</b>
    Telefon: { $phone }
cx-person-referrals = Skierowania:
cx-person-no-referrals = Ta osoba nie ma jeszcze skierowań.
cx-referral-line = • { $service }: wykorzystano { $used } z { $total }, ważne do { $until } — { $state }
cx-ref-active = aktywne
cx-ref-used-up = wykorzystane
cx-ref-expired = wygasło
cx-ref-revoked = cofnięte
btn-cx-new-referral = ➕ Nowe skierowanie
btn-cx-revoke = 🚫 Cofnij: { $service }

cx-draft-person = 📝 Skierowanie dla: <b>{ $name }</b>
cx-draft-link = 🔗 Link ze skierowaniem
cx-draft-service = Usługa: <b>{ $service }</b>
cx-draft-sessions = Liczba spotkań: { $sessions }
cx-draft-until = Ważne do: { $until }
cx-ask-service = Na jaką usługę?
cx-no-services = Żadna usługa nie wymaga teraz skierowania.
cx-ask-sessions = Ile spotkań?
cx-ask-days = Jak długo ważne?
btn-cx-days = { $days } dni
cx-confirm-person = Osoba dostanie wiadomość, że może się zapisać. Wystawić?
cx-confirm-link = Link zadziała jeden raz: skierowanie dostanie pierwsza osoba, która go otworzy. Utworzyć?
btn-cx-issue = ✅ Wystaw skierowanie
btn-cx-make-link = 🔗 Utwórz link
cx-issued = ✅ Skierowanie wystawione: <b>{ $name }</b>, { $service }, spotkania: { $sessions }, ważne do { $until }.
    Osoba dostała wiadomość w bocie.
cx-issued-unreachable = ✅ Skierowanie wystawione: <b>{ $name }</b>, { $service }, spotkania: { $sessions }, ważne do { $until }.
    Nie udało się wysłać jej wiadomości (zablokowała bota) — powiedz jej o tym osobiście.
cx-link-created = 🔗 <b>Link ze skierowaniem</b>: { $service }, spotkania: { $sessions }, ważny do { $until }.
    { $link }
    Przekaż go osobie (SMS, e-mail albo wydruk). Po otwarciu linku zapisze się w bocie sama.
cx-referral-not-needed = Ta usługa nie wymaga skierowania.
cx-referral-person = Ta osoba nie jest już aktywnym uczestnikiem.
cx-referral-received-neutral = 📝 Masz nowe skierowanie w KIS.
cx-referral-received = 📝 Masz nowe skierowanie w KIS.
    <b>{ $service }</b> — liczba spotkań: { $sessions }, ważne do { $until }.
    Zapisz się na termin w menu „{ $menu }”.
cx-revoke-confirm = Cofnąć skierowanie: <b>{ $service }</b> ({ $name })?
    Spotkania, które już są umówione, zostają.
btn-cx-revoke-yes = Tak, cofnij
cx-revoked = Skierowanie cofnięte.
cx-already-revoked = To skierowanie było już cofnięte.

cx-specialists-title = Czyj grafik pokazać?
cx-no-specialists = Nie ma jeszcze specjalistów. Dodaj ich poleceniem: kisbot staff add … --role specialist
cx-agenda-mine = Mój grafik
cx-agenda-title = 🗓 <b>{ $name }</b> — { $day }
cx-agenda-empty = Tego dnia nie ma umówionych spotkań.
cx-agenda-line = { $mark } <b>{ $start }–{ $end }</b> { $name } — { $status }
    { $service }, { $place }
cx-agenda-hint = Po spotkaniu stuknij osobę: ✅ była, stuknij jeszcze raz: ❌ nie przyszła.
cx-status-booked = umówione
cx-status-attended = obecność
cx-status-no-show = nieobecność
cx-status-unmarked = obecność niezaznaczona
btn-cx-today = 📅 Dziś
btn-cx-specialists = 👥 Specjaliści
cx-not-started = Obecność zaznaczysz, gdy spotkanie się zacznie.
cx-booking-closed = To spotkanie zostało odwołane.
cx-morning-title = 🗓 <b>Dzień dobry! Twoje spotkania dzisiaj</b> — { $day }
cx-morning-discreet = Liczba spotkań: { $count }, pierwsze o { $time }.
    Szczegóły zobaczysz po naciśnięciu „🗓 Otwórz grafik”.
btn-cx-open-agenda = 🗓 Otwórz grafik
cx-already-issued = To skierowanie zostało już wystawione przed chwilą.
