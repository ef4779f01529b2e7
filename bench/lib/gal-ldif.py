"""Writes N inetOrgPerson entries for the GAL benchmark: realistic, seeded, unique uids and mails."""
import random
import sys

count, base_dn, domain = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rng = random.Random(20261128)
given = ["Anna", "Adam", "Beatrice", "Boris", "Carla", "Chen", "Daniel", "Dana", "Elena", "Emil", "Fatima", "Felix",
         "Greta", "Hugo", "Ingrid", "Ivan", "Jana", "Jonas", "Karin", "Lukas", "Maria", "Martin", "Nadia", "Oskar",
         "Petra", "Pavel", "Rosa", "Samuel", "Sofia", "Tomas", "Ursula", "Viktor", "Wanda", "Yusuf", "Zoe", "Zdenek"]
family = ["Novak", "Svoboda", "Dvorak", "Cerny", "Smith", "Johnson", "Williams", "Brown", "Garcia", "Miller", "Davis",
          "Martinez", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Walker",
          "Hall", "Allen", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell",
          "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Torres", "Parker", "Collins", "Edwards"]
titles = ["Engineer", "Senior Engineer", "Accountant", "Sales Representative", "Manager", "Director", "Analyst",
          "Designer", "Support Specialist", "Recruiter", "Lawyer", "Architect"]
departments = ["Engineering", "Finance", "Sales", "Marketing", "Support", "Legal", "Human Resources", "Operations"]
offices = ["Prague", "Brno", "Seattle", "Boston", "London", "Berlin", "Vienna", "Madrid"]
out = sys.stdout
for i in range(count):
    g, f = rng.choice(given), rng.choice(family)
    uid = f"u{i:06d}"
    out.write(f"dn: uid={uid},ou=People,{base_dn}\nobjectClass: inetOrgPerson\nuid: {uid}\n"
              f"cn: {g} {f} {i:06d}\ngivenName: {g}\nsn: {f}\nmail: {g.lower()}.{f.lower()}.{i:06d}@{domain}\n"
              f"l: {rng.choice(offices)}\ntitle: {rng.choice(titles)}\ndepartmentNumber: {rng.choice(departments)}\n"
              f"telephoneNumber: +420 2{rng.randrange(10**7, 10**8)}\n\n")
