"""accounts (用户): users, their role and the district they belong to."""
